-- Grain: one row per (entity, publication day, site): how often an entity is mentioned.
-- `stories` counts each story once however many syndicated copies carry it.
CREATE OR REPLACE VIEW entity_mentions_daily AS
WITH mentions AS (
    SELECT * FROM mentions_resolved
),
entities AS (
    SELECT * FROM stg_entities
),
documents AS (
    SELECT document_id, published_date, site_name, story_id FROM stg_documents
),
counted AS (
    SELECT
        mentions.entity_id,
        documents.published_date AS day,
        documents.site_name,
        count(*)                             AS mentions,
        count(DISTINCT mentions.document_id) AS documents,
        count(DISTINCT documents.story_id)   AS stories
    FROM mentions
    JOIN documents USING (document_id)
    GROUP BY ALL
)
SELECT entities.entity_name, entities.entity_label, counted.*
FROM counted
JOIN entities USING (entity_id);
