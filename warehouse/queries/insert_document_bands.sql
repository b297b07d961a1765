-- Bulk insert, see insert_documents.sql.
INSERT INTO document_bands BY NAME
SELECT unnest(from_json($rows::JSON, '[{
    "band": "SMALLINT", "band_key": "BIGINT", "document_id": "VARCHAR"}]'), recursive := true)
ON CONFLICT DO NOTHING;
