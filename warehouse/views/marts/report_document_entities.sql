-- Grain: one row per (document, resolved entity): how often the document mentions the entity,
-- with the document's day, site, story and address, so that a reader can count a story's
-- syndicated copies once (the largest count among its copies) and link to an article.
CREATE OR REPLACE VIEW report_document_entities AS
WITH mentions AS (
    SELECT * FROM mentions_resolved
),
entities AS (
    SELECT * FROM stg_entities
),
documents AS (
    SELECT document_id, story_id, published_date, site_name, title,
           coalesce(canonical_url, first_source) AS article_url
    FROM stg_documents
),
counted AS (
    SELECT document_id, entity_id, count(*) AS mentions
    FROM mentions
    GROUP BY ALL
)
SELECT
    entities.entity_name,
    entities.entity_label,
    counted.entity_id,
    counted.document_id,
    documents.story_id,
    documents.published_date AS day,
    documents.site_name,
    documents.title,
    documents.article_url,
    counted.mentions
FROM counted
JOIN documents USING (document_id)
JOIN entities USING (entity_id);
