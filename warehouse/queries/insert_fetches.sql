-- Bulk insert, see insert_documents.sql.
INSERT INTO fetches BY NAME
SELECT unnest(from_json($rows::JSON, '[{
    "fetch_id": "VARCHAR", "url": "VARCHAR", "canonical_url": "VARCHAR",
    "final_url": "VARCHAR", "status": "INTEGER", "fetched_at": "TIMESTAMP",
    "content_type": "VARCHAR", "etag": "VARCHAR", "last_modified": "VARCHAR",
    "body_bytes": "BIGINT", "body_sha256": "VARCHAR", "warc_path": "VARCHAR",
    "warc_offset": "BIGINT", "warc_length": "BIGINT", "run_id": "VARCHAR"}]'),
    recursive := true)
ON CONFLICT DO NOTHING;
