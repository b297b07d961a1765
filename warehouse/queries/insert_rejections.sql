-- Bulk insert, see insert_documents.sql.
INSERT INTO rejections BY NAME
SELECT unnest(from_json($rows::JSON, '[{
    "run_id": "VARCHAR", "source": "VARCHAR", "stage": "VARCHAR", "reason": "VARCHAR",
    "detail": "VARCHAR", "rejected_at": "TIMESTAMP"}]'), recursive := true);
