-- Bulk insert, see insert_documents.sql. An entity already known keeps its first name and run.
INSERT INTO entities BY NAME
SELECT unnest(from_json($rows::JSON, '[{
    "entity_id": "VARCHAR", "name": "VARCHAR", "label": "VARCHAR",
    "run_id": "VARCHAR"}]'), recursive := true)
ON CONFLICT DO NOTHING;
