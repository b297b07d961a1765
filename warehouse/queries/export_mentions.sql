-- Mentions loaded by the given runs, with their document's publication month.
SELECT m.*, coalesce(strftime(d.published_at, '%Y-%m'), 'unknown') AS published_month
FROM mentions AS m
JOIN documents AS d USING (document_id)
WHERE m.run_id IN (SELECT unnest($runs::VARCHAR[]));
