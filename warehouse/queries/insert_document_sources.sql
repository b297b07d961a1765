-- Bulk insert, see insert_documents.sql.
INSERT INTO document_sources BY NAME
SELECT unnest(from_json($rows::JSON, '[{
    "source": "VARCHAR", "document_id": "VARCHAR", "run_id": "VARCHAR",
    "seen_at": "TIMESTAMP"}]'), recursive := true)
ON CONFLICT DO NOTHING;
