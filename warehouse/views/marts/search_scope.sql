-- Grain: one row per document passing the search filters (a table macro; NULL means "any"):
-- SELECT * FROM search_scope(DATE '2026-03-09', NULL, '%Gazette%', NULL)
CREATE OR REPLACE MACRO search_scope(since, until, site, entity) AS TABLE
WITH documents AS (
    SELECT * FROM stg_documents
),
mentioning AS (
    SELECT DISTINCT m.document_id
    FROM mentions_resolved AS m
    JOIN stg_entities AS e USING (entity_id)
    WHERE e.entity_name ILIKE entity
)
SELECT documents.*
FROM documents
WHERE (since IS NULL OR published_date >= since)
  AND (until IS NULL OR published_date <= until)
  AND (site IS NULL OR site_name ILIKE site)
  AND (entity IS NULL OR document_id IN (SELECT document_id FROM mentioning));
