-- Grain: one row per quote in a document. Renames and casts only.
CREATE OR REPLACE VIEW stg_quotes AS
SELECT
    quote_id,
    document_id,
    start_char,
    end_char,
    text                 AS quote_text,
    kind                 AS quote_kind,
    cue,
    speaker_text         AS speaker_mention,
    speaker_start_char,
    speaker_end_char,
    speaker_entity_id,
    speaker_name,
    speaker_method,
    speaker_confidence,
    sentence_index,
    run_id               AS loaded_by_run_id
FROM quotes;
