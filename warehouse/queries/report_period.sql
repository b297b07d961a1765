-- The documents a report covers ($since, $until, $site; NULL means any): how many, how many
-- of them without a publication date, and the first and last publication day.
SELECT
    coalesce(sum(documents), 0)                               AS documents,
    coalesce(sum(documents) FILTER (WHERE day IS NULL), 0)    AS undated,
    min(day)                                                  AS first_day,
    max(day)                                                  AS last_day
FROM report_documents_daily
WHERE ($since IS NULL OR day >= $since)
  AND ($until IS NULL OR day <= $until)
  AND ($site IS NULL OR site_name ILIKE $site);
