-- The staged documents (index_stage) into the index, with their lengths; returns how many.
INSERT INTO search_documents (document_id, length)
SELECT document_id, sum(tf)
FROM search_staged
GROUP BY document_id
RETURNING document_id;
