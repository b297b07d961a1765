-- Grain: one row per speaker entity (key entity_id). Renames and casts only.
CREATE OR REPLACE VIEW stg_speaker_attributes AS
SELECT
    entity_id,
    person                AS is_person,
    documents,
    quotes,
    pronoun_female,
    pronoun_male,
    honorific_female,
    honorific_male,
    noun_female,
    noun_male,
    pronoun_female + honorific_female + noun_female AS female_evidence,
    pronoun_male + honorific_male + noun_male       AS male_evidence,
    gender,
    gender_method,
    gender_confidence,
    name_gender,
    role,
    role_category,
    affiliation_entity_id,
    role_document_id,
    run_id                AS set_by_run_id,
    updated_at
FROM speaker_attributes;
