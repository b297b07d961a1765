-- Grain: one row per entity mention, with the entity it resolves to across documents (a short
-- form linked to its long form in any document resolves to the long form's entity).
CREATE OR REPLACE VIEW mentions_resolved AS
WITH mentions AS (
    SELECT * FROM stg_mentions
),
links AS (
    SELECT * FROM entity_links_resolved
)
SELECT
    mentions.* EXCLUDE (entity_id),
    mentions.entity_id                          AS own_entity_id,
    coalesce(links.entity_id, mentions.entity_id) AS entity_id
FROM mentions
LEFT JOIN links ON links.alias_entity_id = mentions.entity_id;
