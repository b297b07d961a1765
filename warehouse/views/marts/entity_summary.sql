-- Grain: one row per canonical entity (after cross-document links): how much and since when
-- it is mentioned.
CREATE OR REPLACE VIEW entity_summary AS
WITH mentions AS (
    SELECT * FROM mentions_resolved
),
entities AS (
    SELECT * FROM stg_entities
),
documents AS (
    SELECT document_id, published_at, story_id FROM stg_documents
),
counted AS (
    SELECT
        mentions.entity_id,
        count(*)                             AS mentions,
        count(DISTINCT mentions.document_id) AS documents,
        count(DISTINCT documents.story_id)   AS stories,
        min(documents.published_at)          AS first_seen_at,
        max(documents.published_at)          AS last_seen_at
    FROM mentions
    JOIN documents USING (document_id)
    GROUP BY mentions.entity_id
)
SELECT entities.entity_name, entities.entity_label, counted.*
FROM counted
JOIN entities USING (entity_id)
ORDER BY counted.mentions DESC, entities.entity_name;
