-- URLs already stored: the newest successful fetch of each given canonical URL with its
-- validators, and pages whose own rel=canonical is one of them (no validators then).
WITH wanted AS (
    SELECT unnest($urls::VARCHAR[]) AS url
),
fetched AS (
    SELECT canonical_url AS url, etag, last_modified,
           row_number() OVER (PARTITION BY canonical_url ORDER BY fetched_at DESC) AS rn
    FROM fetches
    WHERE status = 200 AND canonical_url IN (SELECT url FROM wanted)
),
declared AS (
    SELECT DISTINCT canonical_url AS url, NULL AS etag, NULL AS last_modified
    FROM documents
    WHERE canonical_url IN (SELECT url FROM wanted)
      AND canonical_url NOT IN (SELECT url FROM fetched)
)
SELECT url, etag, last_modified FROM fetched WHERE rn = 1
UNION ALL
SELECT url, etag, last_modified FROM declared;
