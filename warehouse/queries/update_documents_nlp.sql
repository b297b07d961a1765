-- The NLP status of reprocessed documents.
UPDATE documents SET nlp_status = r.nlp_status, nlp_note = r.nlp_note
FROM (
    SELECT unnest(from_json($rows::JSON, '[{
        "document_id": "VARCHAR", "nlp_status": "VARCHAR", "nlp_note": "VARCHAR"}]'),
        recursive := true)
) AS r
WHERE documents.document_id = r.document_id;
