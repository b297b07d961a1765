-- The speakers quoted most in the documents a run loaded.
SELECT e.entity_name AS speaker, count(*) AS quotes
FROM quotes_resolved AS q
JOIN stg_entities AS e ON e.entity_id = q.speaker_entity_id
JOIN documents AS d USING (document_id)
WHERE d.run_id = $run_id
GROUP BY ALL
ORDER BY quotes DESC, speaker
LIMIT $limit;
