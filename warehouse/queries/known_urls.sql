-- The newest successful fetch of each given canonical URL, with its validators.
SELECT canonical_url, etag, last_modified
FROM (
    SELECT canonical_url, etag, last_modified,
           row_number() OVER (PARTITION BY canonical_url ORDER BY fetched_at DESC) AS rn
    FROM fetches
    WHERE status = 200 AND canonical_url IN (SELECT unnest($urls::VARCHAR[]))
)
WHERE rn = 1;
