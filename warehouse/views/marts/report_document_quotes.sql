-- Grain: one row per (document, resolved speaker, quote kind): how many quotes of that kind
-- the document attributes to the speaker (`speaker_entity_id` NULL for quotes without a
-- resolved speaker), with the document's day, site, story and address.
CREATE OR REPLACE VIEW report_document_quotes AS
WITH quotes AS (
    SELECT * FROM quotes_resolved
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
    SELECT document_id, speaker_entity_id, quote_kind, count(*) AS quotes
    FROM quotes
    GROUP BY ALL
)
SELECT
    entities.entity_name AS speaker,
    entities.entity_label AS speaker_label,
    counted.speaker_entity_id,
    counted.quote_kind,
    counted.document_id,
    documents.story_id,
    documents.published_date AS day,
    documents.site_name,
    documents.title,
    documents.article_url,
    counted.quotes
FROM counted
JOIN documents USING (document_id)
LEFT JOIN entities ON entities.entity_id = counted.speaker_entity_id;
