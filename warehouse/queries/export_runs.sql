-- The given runs.
SELECT * FROM runs WHERE run_id IN (SELECT unnest($runs::VARCHAR[]));
