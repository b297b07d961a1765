-- Rows of entity_links loaded by the given runs.
SELECT * FROM entity_links WHERE run_id IN (SELECT unnest($runs::VARCHAR[]));
