-- Keys that should be unique but are not.
SELECT 'documents.content_hash' AS key, content_hash AS value FROM documents
GROUP BY content_hash HAVING count(*) > 1
UNION ALL
SELECT 'quotes.quote_id', quote_id FROM quotes GROUP BY quote_id HAVING count(*) > 1
UNION ALL
SELECT 'quotes span', document_id || ':' || start_char || ':' || end_char FROM quotes
GROUP BY document_id, start_char, end_char, kind HAVING count(*) > 1;
