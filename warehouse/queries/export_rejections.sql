-- Rows of rejections loaded by the given runs.
SELECT * FROM rejections WHERE run_id IN (SELECT unnest($runs::VARCHAR[]));
