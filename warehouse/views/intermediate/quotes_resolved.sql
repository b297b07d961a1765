-- Grain: one row per quote, its speaker resolved across documents like mentions_resolved.
CREATE OR REPLACE VIEW quotes_resolved AS
WITH quotes AS (
    SELECT * FROM stg_quotes
),
links AS (
    SELECT alias_entity_id, arg_max(entity_id, n) AS entity_id
    FROM (SELECT alias_entity_id, entity_id, count(*) AS n FROM entity_links GROUP BY ALL)
    GROUP BY alias_entity_id
)
SELECT
    quotes.* EXCLUDE (speaker_entity_id),
    coalesce(links.entity_id, quotes.speaker_entity_id) AS speaker_entity_id
FROM quotes
LEFT JOIN links ON links.alias_entity_id = quotes.speaker_entity_id;
