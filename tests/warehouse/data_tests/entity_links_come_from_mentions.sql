-- Entity links that no stored mention makes: every link was made by a document holding a
-- mention of the link's entity written as its alias (how reprocessing tells which documents a
-- link came from, warehouse/queries/delete_entity_links_for.sql).
SELECT l.alias, l.entity_id
FROM entity_links AS l
WHERE NOT EXISTS (
    SELECT 1 FROM mentions AS m
    WHERE m.entity_id = l.entity_id AND m.label = l.label AND lower(m.text) = lower(l.alias));
