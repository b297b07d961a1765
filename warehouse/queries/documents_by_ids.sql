SELECT document_id, source, content_hash, clean_text, title, author, published_at, site_name,
       canonical_url, description, language, language_confidence, source_format, dateline,
       dateline_start_char, dateline_end_char
FROM documents
WHERE document_id IN (SELECT unnest($ids::VARCHAR[]))
ORDER BY document_id;
