-- Keys that should be unique but are not (mentions, quotes and document_bands carry no
-- declared key since migration 012: the loader keeps them unique, this checks it).
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
GROUP BY band, band_key, document_id HAVING count(*) > 1;
