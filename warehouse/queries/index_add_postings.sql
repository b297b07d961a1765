-- The staged postings (index_stage) into the index.
INSERT INTO search_postings (term_id, document_id, tf)
SELECT term_id, document_id, tf
FROM search_staged
WHERE term IS NOT NULL;
