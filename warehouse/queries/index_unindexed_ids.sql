-- Up to $limit stored documents not yet in the search index (all of them when $ids is NULL,
-- else among $ids), oldest first.
SELECT d.document_id
FROM documents AS d
WHERE ($ids::VARCHAR[] IS NULL OR d.document_id IN (SELECT unnest($ids::VARCHAR[])))
  AND d.document_id NOT IN (SELECT document_id FROM search_documents)
ORDER BY d.loaded_at, d.document_id
LIMIT $limit;
