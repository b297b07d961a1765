-- 001: the v1 warehouse. All timestamps are UTC (TIMESTAMP without time zone).
-- Offsets (start_char, end_char) are 0-based Python string indices into documents.clean_text,
-- end exclusive: clean_text[start_char:end_char] is the stored text of the row.

CREATE TABLE runs (
    run_id              VARCHAR PRIMARY KEY,
    flow                VARCHAR NOT NULL,
    started_at          TIMESTAMP NOT NULL,
    finished_at         TIMESTAMP,
    status              VARCHAR NOT NULL,          -- running | completed | failed (005: crashed, cancelled)
    settings            JSON NOT NULL,
    code_version        VARCHAR NOT NULL,
    spacy_model         VARCHAR,
    spacy_model_version VARCHAR,
    sources_given       INTEGER,
    docs_seen           INTEGER NOT NULL DEFAULT 0,
    docs_loaded         INTEGER NOT NULL DEFAULT 0,
    docs_unchanged      INTEGER NOT NULL DEFAULT 0,
    docs_rejected       INTEGER NOT NULL DEFAULT 0,
    batches_committed   INTEGER NOT NULL DEFAULT 0,
    stage_seconds       JSON,
    error               VARCHAR
);

-- One row per distinct clean text: document_id is derived from the content hash, so the same
-- text arriving again (or from another source) is the same document.
CREATE TABLE documents (
    document_id     VARCHAR PRIMARY KEY,
    source          VARCHAR NOT NULL,      -- where this text was first seen
    canonical_url   VARCHAR,
    content_hash    VARCHAR NOT NULL UNIQUE,
    title           VARCHAR,
    author          VARCHAR,
    published_at    TIMESTAMP,
    site_name       VARCHAR,
    language        VARCHAR,
    description     VARCHAR,
    dateline        VARCHAR,
    dateline_start_char INTEGER,
    dateline_end_char   INTEGER,
    source_format   VARCHAR NOT NULL,      -- html | text
    clean_text      VARCHAR NOT NULL,
    run_id          VARCHAR NOT NULL,
    loaded_at       TIMESTAMP NOT NULL
);

-- Every (source, document) pair ever seen. A source whose content changes gets a new document
-- and a new row here; the newest row per source is its current version.
CREATE TABLE document_sources (
    source       VARCHAR NOT NULL,
    document_id  VARCHAR NOT NULL,
    run_id       VARCHAR NOT NULL,
    seen_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (source, document_id)
);

CREATE TABLE rejections (
    run_id       VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,
    stage        VARCHAR NOT NULL,
    reason       VARCHAR NOT NULL,
    detail       VARCHAR,
    rejected_at  TIMESTAMP NOT NULL
);

-- One row per canonical entity across all documents; entity_id is a stable key derived from
-- the normalised name and the label.
CREATE TABLE entities (
    entity_id  VARCHAR PRIMARY KEY,
    name       VARCHAR NOT NULL,
    label      VARCHAR NOT NULL,
    run_id     VARCHAR NOT NULL            -- the run that first saw it
);

CREATE TABLE mentions (
    document_id     VARCHAR NOT NULL,
    entity_id       VARCHAR NOT NULL,
    start_char      INTEGER NOT NULL,
    end_char        INTEGER NOT NULL,
    text            VARCHAR NOT NULL,
    label           VARCHAR NOT NULL,
    sentence_index  INTEGER NOT NULL,
    model_label     VARCHAR,               -- the label spaCy gave before consolidation
    run_id          VARCHAR NOT NULL,
    PRIMARY KEY (document_id, start_char, end_char)
);

CREATE TABLE quotes (
    quote_id            VARCHAR PRIMARY KEY,
    document_id         VARCHAR NOT NULL,
    start_char          INTEGER NOT NULL,
    end_char            INTEGER NOT NULL,
    text                VARCHAR NOT NULL,
    kind                VARCHAR NOT NULL,  -- direct | indirect | mixed
    cue                 VARCHAR,
    cue_start_char      INTEGER,
    cue_end_char        INTEGER,
    speaker_text        VARCHAR,
    speaker_start_char  INTEGER,
    speaker_end_char    INTEGER,
    speaker_entity_id   VARCHAR,
    speaker_name        VARCHAR,           -- the resolved speaker as named in the document
    sentence_index      INTEGER,
    run_id              VARCHAR NOT NULL
);
