-- Bulk insert, see insert_documents.sql.
INSERT INTO quotes BY NAME
SELECT unnest(from_json($rows::JSON, '[{
    "quote_id": "VARCHAR", "document_id": "VARCHAR", "start_char": "INTEGER",
    "end_char": "INTEGER", "text": "VARCHAR", "kind": "VARCHAR", "cue": "VARCHAR",
    "cue_start_char": "INTEGER", "cue_end_char": "INTEGER", "speaker_text": "VARCHAR",
    "speaker_start_char": "INTEGER", "speaker_end_char": "INTEGER",
    "speaker_entity_id": "VARCHAR", "speaker_name": "VARCHAR",
    "sentence_index": "INTEGER", "speaker_method": "VARCHAR",
    "speaker_confidence": "DOUBLE", "run_id": "VARCHAR"}]'), recursive := true)
ON CONFLICT DO NOTHING;
