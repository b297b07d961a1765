-- Documents per publication day and site, in the report's scope; undated documents left out.
SELECT day, coalesce(site_name, '(no site name)') AS site, sum(documents) AS documents,
       sum(stories) AS stories
FROM report_documents_daily
WHERE day IS NOT NULL
  AND ($since IS NULL OR day >= $since)
  AND ($until IS NULL OR day <= $until)
  AND ($site IS NULL OR site_name ILIKE $site)
GROUP BY ALL
ORDER BY day, site;
