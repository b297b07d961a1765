-- A file read again replaces what was known of it (see loader.insert_rows).
ON CONFLICT (path) DO UPDATE SET
    size_bytes = excluded.size_bytes,
    mtime_ns = excluded.mtime_ns,
    raw_sha256 = excluded.raw_sha256,
    document_id = excluded.document_id,
    run_id = excluded.run_id,
    seen_at = excluded.seen_at;
