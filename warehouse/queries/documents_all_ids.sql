-- Every stored document, oldest first (optionally only one language).
SELECT document_id
FROM documents
WHERE $language IS NULL OR language = $language
ORDER BY loaded_at, document_id;
