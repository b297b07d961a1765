-- The archived response per canonical URL a reextract starts from: with $run_id, that run's
-- own response of each page it fetched (a later run's copy of the page does not hide it);
-- without, the newest archived response of every page.
SELECT url, canonical_url, warc_path, warc_offset
FROM (
    SELECT url, canonical_url, warc_path, warc_offset,
           row_number() OVER (PARTITION BY canonical_url ORDER BY fetched_at DESC) AS rn
    FROM fetches
    WHERE status = 200 AND warc_path IS NOT NULL
      AND ($run_id IS NULL OR run_id = $run_id)
)
WHERE rn = 1
ORDER BY canonical_url;
