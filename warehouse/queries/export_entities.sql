-- Entities first seen by the given runs.
SELECT * FROM entities WHERE run_id IN (SELECT unnest($runs::VARCHAR[]));
