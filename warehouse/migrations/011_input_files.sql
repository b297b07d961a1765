-- 011: what each input file looked like when it was last read, so that a re-run can tell an
-- unchanged file without reading it (path, size, mtime) or, when only its stamp changed,
-- without extracting it (the hash of its raw bytes). Grain: one row per file path (absolute);
-- document_id is the document its bytes gave.
CREATE TABLE input_files (
    path         VARCHAR PRIMARY KEY,
    size_bytes   BIGINT NOT NULL,
    mtime_ns     BIGINT NOT NULL,
    raw_sha256   VARCHAR NOT NULL,
    document_id  VARCHAR NOT NULL,
    run_id       VARCHAR NOT NULL,
    seen_at      TIMESTAMP NOT NULL
);
CREATE INDEX input_files_by_raw ON input_files (raw_sha256);
