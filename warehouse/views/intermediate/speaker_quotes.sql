-- Grain: one row per quote with a resolved speaker: the speaker's gender and role category
-- (from speaker_attributes, summed over every document the speaker is quoted in), with the
-- document's site, publication time and month and story. A speaker without attributes
-- (loaded before migration 015, until a reprocess) is 'unknown'.
CREATE OR REPLACE VIEW speaker_quotes AS
WITH quotes AS (
    SELECT resolved.quote_id, resolved.document_id, resolved.quote_kind,
           resolved.speaker_entity_id, own.speaker_entity_id AS own_speaker_entity_id
    FROM quotes_resolved AS resolved
    JOIN stg_quotes AS own USING (quote_id)
    WHERE resolved.speaker_entity_id IS NOT NULL
),
attributes AS (
    SELECT * FROM stg_speaker_attributes
),
documents AS (
    SELECT document_id, site_name, published_at, story_id FROM stg_documents
)
SELECT
    quotes.quote_id,
    quotes.document_id,
    quotes.quote_kind,
    quotes.speaker_entity_id,
    entities.entity_name                                        AS speaker,
    entities.entity_label                                       AS speaker_label,
    coalesce(own.is_person, resolved.is_person, entities.entity_label = 'PERSON')
                                                                AS is_person,
    coalesce(own.gender, resolved.gender, 'unknown')            AS gender,
    coalesce(own.gender_method, resolved.gender_method, 'no-evidence') AS gender_method,
    coalesce(own.gender_confidence, resolved.gender_confidence) AS gender_confidence,
    coalesce(own.role, resolved.role)                           AS role,
    coalesce(own.role_category, resolved.role_category, 'unknown') AS role_category,
    documents.site_name,
    documents.published_at,
    CAST(date_trunc('month', documents.published_at) AS DATE)   AS month,
    documents.story_id
FROM quotes
JOIN documents USING (document_id)
JOIN stg_entities AS entities ON entities.entity_id = quotes.speaker_entity_id
LEFT JOIN attributes AS own ON own.entity_id = quotes.own_speaker_entity_id
LEFT JOIN attributes AS resolved ON resolved.entity_id = quotes.speaker_entity_id;
