-- What is known of the given input files: path, size_bytes, mtime_ns, raw_sha256, document_id.
SELECT path, size_bytes, mtime_ns, raw_sha256, document_id
FROM input_files
WHERE path IN (SELECT unnest($paths::VARCHAR[]));
