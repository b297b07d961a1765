-- Quotes per site and kind (direct, indirect, mixed) in the report's scope, resolved speaker
-- or not; every copy counts, since each site that carries a story carries its quotes.
SELECT coalesce(site_name, '(no site name)') AS site, quote_kind, sum(quotes) AS quotes
FROM report_document_quotes
WHERE ($since IS NULL OR day >= $since)
  AND ($until IS NULL OR day <= $until)
  AND ($site IS NULL OR site_name ILIKE $site)
GROUP BY ALL
ORDER BY site, quote_kind;
