-- Grain: one row per entity mention in a document. Renames and casts only.
CREATE OR REPLACE VIEW stg_mentions AS
SELECT
    document_id,
    entity_id,
    start_char,
    end_char,
    text           AS mention_text,
    label          AS mention_label,
    model_label,
    sentence_index,
    run_id         AS loaded_by_run_id
FROM mentions;
