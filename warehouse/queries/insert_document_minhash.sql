-- Bulk insert, see insert_documents.sql (the signature is a list, so rows are unnested one
-- level and their fields picked, rather than unnested recursively).
INSERT INTO document_minhash (document_id, signature, run_id)
SELECT r.document_id, r.signature, r.run_id
FROM (
    SELECT unnest(from_json($rows::JSON, '[{
        "document_id": "VARCHAR", "signature": "BIGINT[]", "run_id": "VARCHAR"}]')) AS r
)
ON CONFLICT DO NOTHING;
