-- 014: the tables that grow with every document lose their declared keys too (012 did it for
-- the child rows). DuckDB writes a key's ART index out at every checkpoint, and a writer
-- checkpoints when it closes: on 100k documents of 3 KB, closing after a one-row insert took
-- 1.6–1.8 s with the documents table's two keys and 0.01 s without, and the file was 409 MB
-- against 197 MB. The loader keeps these keys unique instead (an insert skips the rows whose
-- key is stored, decided under the writer's lock; input_files replaces a path's row), and the
-- data tests check it. Lookups by these columns scan, which costs milliseconds at a million.
CREATE TABLE documents_014 (
    document_id           VARCHAR NOT NULL,
    source                VARCHAR NOT NULL,
    canonical_url         VARCHAR,
    content_hash          VARCHAR NOT NULL,
    title                 VARCHAR,
    author                VARCHAR,
    published_at          TIMESTAMP,
    site_name             VARCHAR,
    language              VARCHAR,
    description           VARCHAR,
    dateline              VARCHAR,
    dateline_start_char   INTEGER,
    dateline_end_char     INTEGER,
    source_format         VARCHAR NOT NULL,
    clean_text            VARCHAR NOT NULL,
    run_id                VARCHAR NOT NULL,
    loaded_at             TIMESTAMP NOT NULL,
    language_confidence   DOUBLE,
    nlp_status            VARCHAR,
    nlp_note              VARCHAR,
    duplicate_of          VARCHAR,
    duplicate_similarity  DOUBLE,
    raw_offsets           JSON
);
INSERT INTO documents_014 SELECT * FROM documents;
DROP TABLE documents;
ALTER TABLE documents_014 RENAME TO documents;

CREATE TABLE entities_014 (
    entity_id  VARCHAR NOT NULL,
    name       VARCHAR NOT NULL,
    label      VARCHAR NOT NULL,
    run_id     VARCHAR NOT NULL
);
INSERT INTO entities_014 SELECT * FROM entities;
DROP TABLE entities;
ALTER TABLE entities_014 RENAME TO entities;

CREATE TABLE document_sources_014 (
    source       VARCHAR NOT NULL,
    document_id  VARCHAR NOT NULL,
    run_id       VARCHAR NOT NULL,
    seen_at      TIMESTAMP NOT NULL
);
INSERT INTO document_sources_014 SELECT * FROM document_sources;
DROP TABLE document_sources;
ALTER TABLE document_sources_014 RENAME TO document_sources;

CREATE TABLE document_minhash_014 (
    document_id  VARCHAR NOT NULL,
    signature    BIGINT[] NOT NULL,
    run_id       VARCHAR NOT NULL
);
INSERT INTO document_minhash_014 SELECT * FROM document_minhash;
DROP TABLE document_minhash;
ALTER TABLE document_minhash_014 RENAME TO document_minhash;

CREATE TABLE fetches_014 (
    fetch_id       VARCHAR NOT NULL,
    url            VARCHAR NOT NULL,
    canonical_url  VARCHAR NOT NULL,
    final_url      VARCHAR NOT NULL,
    status         INTEGER NOT NULL,
    fetched_at     TIMESTAMP NOT NULL,
    content_type   VARCHAR,
    etag           VARCHAR,
    last_modified  VARCHAR,
    body_bytes     BIGINT,
    body_sha256    VARCHAR,
    warc_path      VARCHAR,
    warc_offset    BIGINT,
    warc_length    BIGINT,
    run_id         VARCHAR NOT NULL
);
INSERT INTO fetches_014 SELECT * FROM fetches;
DROP TABLE fetches;
ALTER TABLE fetches_014 RENAME TO fetches;

DROP INDEX input_files_by_raw;
CREATE TABLE input_files_014 (
    path         VARCHAR NOT NULL,
    size_bytes   BIGINT NOT NULL,
    mtime_ns     BIGINT NOT NULL,
    raw_sha256   VARCHAR NOT NULL,
    document_id  VARCHAR NOT NULL,
    run_id       VARCHAR NOT NULL,
    seen_at      TIMESTAMP NOT NULL
);
INSERT INTO input_files_014 SELECT * FROM input_files;
DROP TABLE input_files;
ALTER TABLE input_files_014 RENAME TO input_files;

CREATE TABLE search_documents_014 (
    document_id  VARCHAR NOT NULL,
    length       INTEGER NOT NULL
);
INSERT INTO search_documents_014 SELECT * FROM search_documents;
DROP TABLE search_documents;
ALTER TABLE search_documents_014 RENAME TO search_documents;

CREATE TABLE search_terms_014 (
    term_id  BIGINT NOT NULL,
    term     VARCHAR NOT NULL
);
INSERT INTO search_terms_014 SELECT * FROM search_terms;
DROP TABLE search_terms;
ALTER TABLE search_terms_014 RENAME TO search_terms;
