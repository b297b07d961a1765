-- Rows of document_sources loaded by the given runs.
SELECT * FROM document_sources WHERE run_id IN (SELECT unnest($runs::VARCHAR[]));
