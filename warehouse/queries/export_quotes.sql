-- Quotes loaded by the given runs, with their document's publication month.
SELECT q.*, coalesce(strftime(d.published_at, '%Y-%m'), 'unknown') AS published_month
FROM quotes AS q
JOIN documents AS d USING (document_id)
WHERE q.run_id IN (SELECT unnest($runs::VARCHAR[]));
