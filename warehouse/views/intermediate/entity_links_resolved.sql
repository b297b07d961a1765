-- Grain: one row per short-form entity linked to a long form: the long form it resolves to
-- (a short form linked to several long forms, rarely, goes to the one linked most often).
CREATE OR REPLACE VIEW entity_links_resolved AS
WITH links AS (
    SELECT alias_entity_id, entity_id, count(*) AS n FROM entity_links GROUP BY ALL
)
SELECT alias_entity_id, arg_max(entity_id, n) AS entity_id
FROM links
GROUP BY alias_entity_id;
