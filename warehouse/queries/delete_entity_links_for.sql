-- Before documents' analysis is replaced: the entity links that came from them go, unless a
-- document not being replaced makes them too, or the new analysis ($links) makes them again
-- (those keep their row, with the run that first loaded them).
-- A link "alias -> entity" comes from a document that holds a mention of the entity, under its
-- label, written as the alias: the acronym tied to its long form (tasks/entities.py
-- acronym_links). An acronym's entity id folds only its case, hence lower() on both sides.
-- The relation is read from the mentions themselves, so it holds for links of any age.
WITH replaced AS (
    SELECT unnest($ids::VARCHAR[]) AS document_id
),
kept AS (
    SELECT k.alias_entity_id, k.entity_id
    FROM (SELECT unnest(from_json($links::JSON,
                                  '[{"alias_entity_id": "VARCHAR", "entity_id": "VARCHAR"}]'),
                        recursive := true)) AS k
)
DELETE FROM entity_links AS l
WHERE EXISTS (
        SELECT 1 FROM mentions AS m
        WHERE m.document_id IN (SELECT document_id FROM replaced)
          AND m.entity_id = l.entity_id AND m.label = l.label
          AND lower(m.text) = lower(l.alias))
  AND NOT EXISTS (
        SELECT 1 FROM mentions AS m
        WHERE m.document_id NOT IN (SELECT document_id FROM replaced)
          AND m.entity_id = l.entity_id AND m.label = l.label
          AND lower(m.text) = lower(l.alias))
  AND NOT EXISTS (
        SELECT 1 FROM kept
        WHERE kept.alias_entity_id = l.alias_entity_id AND kept.entity_id = l.entity_id);
