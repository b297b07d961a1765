-- Grain: one row per entity mentioned between two publication dates (a table macro):
-- SELECT * FROM top_entities(DATE '2026-03-09', DATE '2026-03-13') LIMIT 10
CREATE OR REPLACE MACRO top_entities(since, until) AS TABLE
WITH mentions AS (
    SELECT * FROM mentions_resolved
),
entities AS (
    SELECT * FROM stg_entities
),
documents AS (
    SELECT document_id, published_date, story_id FROM stg_documents
),
counted AS (
    SELECT mentions.entity_id,
           count(*)                             AS mentions,
           count(DISTINCT mentions.document_id) AS documents,
           count(DISTINCT documents.story_id)   AS stories
    FROM mentions
    JOIN documents USING (document_id)
    WHERE documents.published_date BETWEEN since AND until
    GROUP BY mentions.entity_id
)
SELECT entities.entity_name, entities.entity_label, counted.*
FROM counted
JOIN entities USING (entity_id)
ORDER BY counted.stories DESC, counted.mentions DESC, entities.entity_name;
