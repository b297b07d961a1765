-- Stored documents sharing at least one LSH band key with the given ones.
WITH wanted AS (
    SELECT unnest(from_json($bands::JSON, '[{"band": "SMALLINT", "band_key": "BIGINT"}]'),
                  recursive := true)
),
candidates AS (
    SELECT DISTINCT b.document_id
    FROM document_bands AS b
    JOIN wanted USING (band, band_key)
)
SELECT m.document_id, m.signature, d.duplicate_of
FROM candidates
JOIN document_minhash AS m USING (document_id)
JOIN documents AS d USING (document_id);
