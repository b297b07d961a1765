-- Before a document's analysis is replaced: its old speaker evidence goes.
DELETE FROM speaker_evidence WHERE document_id IN (SELECT unnest($ids::VARCHAR[]));
