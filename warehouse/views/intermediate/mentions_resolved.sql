-- Grain: one row per entity mention, with the entity it resolves to across documents (a short
-- form linked to its long form in any document resolves to the long form's entity).
CREATE OR REPLACE VIEW mentions_resolved AS
WITH mentions AS (
    SELECT * FROM stg_mentions
),
links AS (
    -- A short form linked to several long forms (rare) resolves to the most linked one.
    SELECT alias_entity_id, arg_max(entity_id, n) AS entity_id
    FROM (SELECT alias_entity_id, entity_id, count(*) AS n FROM entity_links GROUP BY ALL)
    GROUP BY alias_entity_id
)
SELECT
    mentions.* EXCLUDE (entity_id),
    mentions.entity_id                          AS own_entity_id,
    coalesce(links.entity_id, mentions.entity_id) AS entity_id
FROM mentions
LEFT JOIN links ON links.alias_entity_id = mentions.entity_id;
