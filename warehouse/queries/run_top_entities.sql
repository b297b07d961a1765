-- The entities most mentioned in the documents a run loaded.
SELECT e.entity_name, e.entity_label, count(*) AS mentions,
       count(DISTINCT m.document_id) AS documents
FROM mentions_resolved AS m
JOIN stg_entities AS e USING (entity_id)
JOIN documents AS d USING (document_id)
WHERE d.run_id = $run_id
GROUP BY ALL
ORDER BY mentions DESC, e.entity_name
LIMIT $limit;
