-- The stored document each known raw-bytes hash gave (any file that had those bytes), if the
-- document is still stored.
SELECT f.raw_sha256, any_value(f.document_id)
FROM input_files AS f
JOIN documents AS d USING (document_id)
WHERE f.raw_sha256 IN (SELECT unnest($hashes::VARCHAR[]))
GROUP BY f.raw_sha256;
