-- Bulk insert, see insert_documents.sql.
INSERT INTO mentions BY NAME
SELECT unnest(from_json($rows::JSON, '[{
    "document_id": "VARCHAR", "entity_id": "VARCHAR", "start_char": "INTEGER",
    "end_char": "INTEGER", "text": "VARCHAR", "label": "VARCHAR",
    "sentence_index": "INTEGER", "model_label": "VARCHAR", "run_id": "VARCHAR"}]'),
    recursive := true)
ON CONFLICT DO NOTHING;
