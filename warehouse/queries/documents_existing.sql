-- Which of the given content hashes are already stored.
SELECT content_hash, document_id
FROM documents
WHERE content_hash IN (SELECT unnest($hashes::VARCHAR[]));
