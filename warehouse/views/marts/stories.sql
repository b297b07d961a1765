-- Grain: one row per story: a document and its near-duplicate copies (syndicated wire copies)
-- counted once.
CREATE OR REPLACE VIEW stories AS
WITH documents AS (
    SELECT * FROM stg_documents
),
grouped AS (
    SELECT
        story_id,
        count(*)                              AS copies,
        count(DISTINCT site_name)             AS sites,
        min(published_at)                     AS first_published_at,
        list(DISTINCT site_name ORDER BY site_name) FILTER (WHERE site_name IS NOT NULL)
                                              AS site_names
    FROM documents
    GROUP BY story_id
)
SELECT
    grouped.story_id,
    original.title,
    original.site_name      AS original_site,
    grouped.copies,
    grouped.sites,
    grouped.site_names,
    grouped.first_published_at
FROM grouped
JOIN documents AS original ON original.document_id = grouped.story_id
ORDER BY grouped.copies DESC, grouped.first_published_at;
