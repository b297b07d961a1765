-- A few direct quotes with a known speaker from the documents a run loaded.
SELECT speaker, quote_text, title, source
FROM quote_list
WHERE document_id IN (SELECT document_id FROM documents WHERE run_id = $run_id)
  AND quote_kind = 'direct' AND speaker IS NOT NULL
ORDER BY length(quote_text) DESC
LIMIT $limit;
