-- Grain: one row per (document, speaker entity). Renames and casts only.
CREATE OR REPLACE VIEW stg_speaker_evidence AS
SELECT
    document_id,
    entity_id,
    quotes,
    pronoun_female,
    pronoun_male,
    honorific_female,
    honorific_male,
    noun_female,
    noun_male,
    gender                AS document_gender,
    gender_method         AS document_gender_method,
    gender_confidence     AS document_gender_confidence,
    name_gender,
    role,
    role_start_char,
    role_end_char,
    role_method,
    role_category,
    affiliation_entity_id,
    run_id                AS loaded_by_run_id
FROM speaker_evidence;
