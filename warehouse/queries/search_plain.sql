-- The fallback search where the fts extension cannot be loaded: documents containing every
-- term (case-insensitive), ranked by how often the terms occur, title matches counting 5 times.
WITH terms AS (
    SELECT unnest($terms::VARCHAR[]) AS term
),
matching AS (
    SELECT d.document_id
    FROM stg_documents AS d, terms
    GROUP BY d.document_id
    HAVING bool_and(contains(lower(coalesce(d.title, '') || ' ' || d.clean_text), term))
),
ranked AS (
    SELECT d.document_id, d.title, d.site_name, d.published_at, d.first_source AS source, d.clean_text,
           (SELECT sum((length(lower(d.clean_text)) - length(replace(lower(d.clean_text), term, '')))
                       / length(term)
                       + 5 * (length(lower(coalesce(d.title, '')))
                              - length(replace(lower(coalesce(d.title, '')), term, '')))
                         / length(term))
            FROM terms) AS score
    FROM search_scope($since, $until, $site, $entity) AS d
    JOIN matching USING (document_id)
)
SELECT document_id, title, site_name, published_at, source, clean_text, score
FROM ranked
ORDER BY score DESC, published_at DESC NULLS LAST
LIMIT $limit;
