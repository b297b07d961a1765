-- Grain: one row per (resolved speaker, publication day): how often each speaker is quoted
-- day by day. Quotes from articles without a publication date are left out.
CREATE OR REPLACE VIEW speaker_quotes_daily AS
WITH quotes AS (
    SELECT * FROM quotes_resolved WHERE speaker_entity_id IS NOT NULL
),
entities AS (
    SELECT * FROM stg_entities
),
documents AS (
    SELECT document_id, published_at FROM stg_documents WHERE published_at IS NOT NULL
),
per_day AS (
    SELECT
        quotes.speaker_entity_id                                AS entity_id,
        CAST(documents.published_at AS DATE)                    AS day,
        count(*)                                                AS quotes,
        count(*) FILTER (WHERE quotes.quote_kind = 'direct')    AS direct_quotes,
        count(DISTINCT quotes.document_id)                      AS documents
    FROM quotes
    JOIN documents USING (document_id)
    GROUP BY ALL
)
SELECT entities.entity_name AS speaker, entities.entity_label AS speaker_label, per_day.*
FROM per_day
JOIN entities USING (entity_id)
ORDER BY day, quotes DESC, speaker;
