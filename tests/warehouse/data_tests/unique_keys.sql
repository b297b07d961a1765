-- Keys that should be unique but are not (mentions, quotes and document_bands carry no
-- declared key since migration 012, the growing tables none since 014: the loader keeps them
-- unique, this checks it).
SELECT 'documents.content_hash' AS key, content_hash AS value FROM documents
GROUP BY content_hash HAVING count(*) > 1
UNION ALL
SELECT 'quotes.quote_id', quote_id FROM quotes GROUP BY quote_id HAVING count(*) > 1
UNION ALL
SELECT 'quotes span', document_id || ':' || start_char || ':' || end_char FROM quotes
GROUP BY document_id, start_char, end_char, kind HAVING count(*) > 1
UNION ALL
SELECT 'mentions span', document_id || ':' || start_char || ':' || end_char FROM mentions
GROUP BY document_id, start_char, end_char HAVING count(*) > 1
UNION ALL
SELECT 'document_bands', band || ':' || band_key || ':' || document_id FROM document_bands
GROUP BY band, band_key, document_id HAVING count(*) > 1
UNION ALL
SELECT 'documents.document_id', document_id FROM documents
GROUP BY document_id HAVING count(*) > 1
UNION ALL
SELECT 'entities.entity_id', entity_id FROM entities GROUP BY entity_id HAVING count(*) > 1
UNION ALL
SELECT 'document_sources', source || ' -> ' || document_id FROM document_sources
GROUP BY source, document_id HAVING count(*) > 1
UNION ALL
SELECT 'document_minhash.document_id', document_id FROM document_minhash
GROUP BY document_id HAVING count(*) > 1
UNION ALL
SELECT 'fetches.fetch_id', fetch_id FROM fetches GROUP BY fetch_id HAVING count(*) > 1
UNION ALL
SELECT 'input_files.path', path FROM input_files GROUP BY path HAVING count(*) > 1
UNION ALL
SELECT 'search_documents.document_id', document_id FROM search_documents
GROUP BY document_id HAVING count(*) > 1
UNION ALL
SELECT 'search_terms.term_id', term_id::VARCHAR FROM search_terms
GROUP BY term_id HAVING count(*) > 1;
