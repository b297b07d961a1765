-- Before a document's analysis is replaced: its old quotes go.
DELETE FROM quotes WHERE document_id IN (SELECT unnest($ids::VARCHAR[]));
