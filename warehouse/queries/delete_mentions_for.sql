-- Before a document's analysis is replaced: its old mentions go.
DELETE FROM mentions WHERE document_id IN (SELECT unnest($ids::VARCHAR[]));
