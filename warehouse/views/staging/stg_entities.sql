-- Grain: one row per canonical entity. Renames and casts only.
CREATE OR REPLACE VIEW stg_entities AS
SELECT
    entity_id,
    name    AS entity_name,
    label   AS entity_label,
    run_id  AS first_seen_run_id
FROM entities;
