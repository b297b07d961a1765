-- Grain: one row per quote, with its speaker's canonical name and the article it is from.
CREATE OR REPLACE VIEW quote_list AS
WITH quotes AS (
    SELECT * FROM quotes_resolved
),
entities AS (
    SELECT * FROM stg_entities
),
documents AS (
    SELECT document_id, title, site_name, published_at, first_source FROM stg_documents
)
SELECT
    quotes.quote_id,
    coalesce(entities.entity_name, quotes.speaker_name) AS speaker,
    quotes.speaker_mention,
    quotes.speaker_confidence,
    quotes.quote_kind,
    quotes.cue,
    quotes.quote_text,
    documents.title,
    documents.site_name,
    documents.published_at,
    documents.first_source AS source,
    quotes.document_id
FROM quotes
JOIN documents USING (document_id)
LEFT JOIN entities ON entities.entity_id = quotes.speaker_entity_id;
