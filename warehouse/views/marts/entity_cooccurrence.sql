-- Grain: one row per pair of entities mentioned in the same document (each pair once,
-- ordered by name): in how many documents and stories they appear together.
CREATE OR REPLACE VIEW entity_cooccurrence AS
WITH pairs_in_documents AS (
    SELECT DISTINCT document_id, entity_id FROM mentions_resolved
),
entities AS (
    SELECT * FROM stg_entities
),
documents AS (
    SELECT document_id, story_id FROM stg_documents
),
pairs AS (
    SELECT a.entity_id AS entity_a, b.entity_id AS entity_b, a.document_id
    FROM pairs_in_documents AS a
    JOIN pairs_in_documents AS b
      ON a.document_id = b.document_id AND a.entity_id < b.entity_id
),
counted AS (
    SELECT entity_a, entity_b,
           count(DISTINCT pairs.document_id) AS documents,
           count(DISTINCT documents.story_id) AS stories
    FROM pairs
    JOIN documents USING (document_id)
    GROUP BY ALL
)
SELECT ea.entity_name AS entity_a_name, eb.entity_name AS entity_b_name,
       ea.entity_label AS entity_a_label, eb.entity_label AS entity_b_label,
       counted.*
FROM counted
JOIN entities AS ea ON ea.entity_id = counted.entity_a
JOIN entities AS eb ON eb.entity_id = counted.entity_b
ORDER BY counted.documents DESC, entity_a_name, entity_b_name;
