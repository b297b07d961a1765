-- Grain: one row per source: the newest version of the document seen at that source.
CREATE OR REPLACE VIEW current_documents AS
WITH sources AS (
    SELECT source, document_id, seen_at FROM document_sources
),
documents AS (
    SELECT * FROM stg_documents
),
newest AS (
    SELECT source, document_id, seen_at,
           row_number() OVER (PARTITION BY source ORDER BY seen_at DESC, document_id) AS rn
    FROM sources
)
SELECT newest.source, newest.seen_at AS last_changed_at, documents.*
FROM newest
JOIN documents USING (document_id)
WHERE newest.rn = 1;
