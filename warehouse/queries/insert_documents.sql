-- Bulk insert: $rows is one JSON array of row objects. Binding one JSON string and unnesting it
-- in DuckDB was measured ~80x faster than executemany or binding Python lists (50k rows: 0.5 s
-- against 40 s), because DuckDB converts bound Python containers value by value.
INSERT INTO documents BY NAME
SELECT unnest(from_json($rows::JSON, '[{
    "document_id": "VARCHAR", "source": "VARCHAR", "canonical_url": "VARCHAR",
    "content_hash": "VARCHAR", "title": "VARCHAR", "author": "VARCHAR",
    "published_at": "TIMESTAMP", "site_name": "VARCHAR", "language": "VARCHAR",
    "description": "VARCHAR", "dateline": "VARCHAR", "dateline_start_char": "INTEGER",
    "dateline_end_char": "INTEGER", "source_format": "VARCHAR", "clean_text": "VARCHAR",
    "run_id": "VARCHAR", "loaded_at": "TIMESTAMP", "language_confidence": "DOUBLE",
    "nlp_status": "VARCHAR", "nlp_note": "VARCHAR", "duplicate_of": "VARCHAR",
    "duplicate_similarity": "DOUBLE", "raw_offsets": "JSON"}]'), recursive := true)
ON CONFLICT DO NOTHING;
