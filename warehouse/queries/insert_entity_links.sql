-- Bulk insert, see insert_documents.sql.
INSERT INTO entity_links BY NAME
SELECT unnest(from_json($rows::JSON, '[{
    "alias_entity_id": "VARCHAR", "entity_id": "VARCHAR", "alias": "VARCHAR",
    "label": "VARCHAR", "run_id": "VARCHAR"}]'), recursive := true)
ON CONFLICT DO NOTHING;
