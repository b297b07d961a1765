-- Bulk upsert of robots.txt records, see insert_documents.sql.
INSERT INTO robots BY NAME
SELECT unnest(from_json($rows::JSON, '[{
    "origin": "VARCHAR", "fetched_at": "TIMESTAMP", "status": "INTEGER", "body": "VARCHAR",
    "run_id": "VARCHAR"}]'), recursive := true)
ON CONFLICT (origin) DO UPDATE SET
    fetched_at = excluded.fetched_at,
    status = excluded.status,
    body = excluded.body,
    run_id = excluded.run_id;
