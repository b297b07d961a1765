-- Documents loaded by the given runs, with their publication month (the partition key).
SELECT d.*, coalesce(strftime(d.published_at, '%Y-%m'), 'unknown') AS published_month
FROM documents AS d
WHERE d.run_id IN (SELECT unnest($runs::VARCHAR[]));
