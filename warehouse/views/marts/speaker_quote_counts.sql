-- Grain: one row per resolved speaker (canonical entity): who is quoted most.
CREATE OR REPLACE VIEW speaker_quote_counts AS
WITH quotes AS (
    SELECT * FROM quotes_resolved WHERE speaker_entity_id IS NOT NULL
),
entities AS (
    SELECT * FROM stg_entities
),
documents AS (
    SELECT document_id, published_at FROM stg_documents
),
per_speaker AS (
    SELECT
        quotes.speaker_entity_id                                AS entity_id,
        count(*)                                                AS quotes,
        count(*) FILTER (WHERE quotes.quote_kind = 'direct')    AS direct_quotes,
        count(DISTINCT quotes.document_id)                      AS documents,
        min(documents.published_at)                             AS first_quoted_at,
        max(documents.published_at)                             AS last_quoted_at
    FROM quotes
    JOIN documents USING (document_id)
    GROUP BY quotes.speaker_entity_id
)
SELECT entities.entity_name AS speaker, entities.entity_label AS speaker_label, per_speaker.*
FROM per_speaker
JOIN entities USING (entity_id)
ORDER BY quotes DESC, speaker;
