-- Rows of fetches loaded by the given runs.
SELECT * FROM fetches WHERE run_id IN (SELECT unnest($runs::VARCHAR[]));
