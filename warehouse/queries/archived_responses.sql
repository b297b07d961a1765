-- The newest archived response per canonical URL, optionally only those of one run.
SELECT url, canonical_url, warc_path, warc_offset
FROM (
    SELECT url, canonical_url, warc_path, warc_offset, run_id,
           row_number() OVER (PARTITION BY canonical_url ORDER BY fetched_at DESC) AS rn
    FROM fetches
    WHERE status = 200 AND warc_path IS NOT NULL
)
WHERE rn = 1 AND ($run_id IS NULL OR run_id = $run_id)
ORDER BY canonical_url;
