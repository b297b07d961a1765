-- Grain: one row per quote, its speaker resolved across documents like mentions_resolved.
CREATE OR REPLACE VIEW quotes_resolved AS
WITH quotes AS (
    SELECT * FROM stg_quotes
),
links AS (
    SELECT * FROM entity_links_resolved
)
SELECT
    quotes.* EXCLUDE (speaker_entity_id),
    coalesce(links.entity_id, quotes.speaker_entity_id) AS speaker_entity_id
FROM quotes
LEFT JOIN links ON links.alias_entity_id = quotes.speaker_entity_id;
