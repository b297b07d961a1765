-- 003: each document's language with its confidence, whether NLP ran on it, and whether it is
-- a near-duplicate (a syndicated copy) of a document loaded before.
ALTER TABLE documents ADD COLUMN language_confidence DOUBLE;
ALTER TABLE documents ADD COLUMN nlp_status VARCHAR;      -- analysed | skipped
ALTER TABLE documents ADD COLUMN nlp_note VARCHAR;        -- why NLP was skipped
ALTER TABLE documents ADD COLUMN duplicate_of VARCHAR;    -- the first document of the story
ALTER TABLE documents ADD COLUMN duplicate_similarity DOUBLE;

-- MinHash signature of each document's word 5-shingles, and its LSH band keys: documents
-- sharing a band key are near-duplicate candidates.
CREATE TABLE document_minhash (
    document_id  VARCHAR PRIMARY KEY,
    signature    BIGINT[] NOT NULL,
    run_id       VARCHAR NOT NULL
);
CREATE TABLE document_bands (
    band         SMALLINT NOT NULL,
    band_key     BIGINT NOT NULL,
    document_id  VARCHAR NOT NULL,
    PRIMARY KEY (band, band_key, document_id)
);
