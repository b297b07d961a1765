-- The speaker sums a batch adds (one row per speaker entity, built by tasks/rows.py), as a
-- temporary table the merge reads; a reprocess then adds the old evidence it replaces, as
-- negative sums (speaker_delta_subtract).
CREATE OR REPLACE TEMP TABLE speaker_delta AS
SELECT r.*
FROM (
    SELECT unnest(from_json($rows::JSON, '[{
        "entity_id": "VARCHAR", "person": "BOOLEAN", "documents": "INTEGER",
        "quotes": "INTEGER", "pronoun_female": "INTEGER", "pronoun_male": "INTEGER",
        "honorific_female": "INTEGER", "honorific_male": "INTEGER",
        "noun_female": "INTEGER", "noun_male": "INTEGER", "name_gender": "VARCHAR",
        "role": "VARCHAR", "role_category": "VARCHAR", "affiliation_entity_id": "VARCHAR",
        "role_document_id": "VARCHAR"}]'), recursive := true)
) AS r;
