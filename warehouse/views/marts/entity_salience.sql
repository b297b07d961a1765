-- Grain: one row per (document, entity): how prominent the entity is in that document.
CREATE OR REPLACE VIEW entity_salience AS
WITH mentions AS (
    SELECT * FROM mentions_resolved
),
entities AS (
    SELECT * FROM stg_entities
),
documents AS (
    SELECT document_id, title, char_count FROM stg_documents
),
per_document AS (
    SELECT
        mentions.document_id,
        mentions.entity_id,
        count(*)                         AS mentions,
        min(mentions.start_char)         AS first_char,
        list(DISTINCT mentions.mention_text) AS surface_forms
    FROM mentions
    GROUP BY ALL
)
SELECT
    per_document.document_id,
    per_document.entity_id,
    entities.entity_name,
    entities.entity_label,
    per_document.mentions,
    per_document.first_char,
    round(per_document.first_char / greatest(documents.char_count, 1), 4) AS first_position,
    coalesce(list_bool_or(list_transform(per_document.surface_forms,
                                         f -> contains(documents.title, f))), false)
                                     AS in_title
FROM per_document
JOIN documents USING (document_id)
JOIN entities USING (entity_id);
