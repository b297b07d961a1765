-- 012: mentions, quotes and document_bands lose their declared keys. DuckDB keeps a key as an
-- ART index that every insert must load and update: measured on one table of 32M band rows
-- (a million documents' worth), inserting one batch's 6,400 rows took 1.40 s and 689 MB with
-- the key against 0.07 s and 67 MB without, and the file was 3.7 GB against 0.6 GB. The keys
-- never answered a lookup (those scan), and they guarded nothing the loader does not: a
-- document's child rows are written only in the transaction that first stores the document,
-- decided against the warehouse under the writer's lock, and reprocess deletes them before it
-- writes new ones. The data tests check that no key repeats.
CREATE TABLE mentions_012 (
    document_id     VARCHAR NOT NULL,
    entity_id       VARCHAR NOT NULL,
    start_char      INTEGER NOT NULL,
    end_char        INTEGER NOT NULL,
    text            VARCHAR NOT NULL,
    label           VARCHAR NOT NULL,
    sentence_index  INTEGER NOT NULL,
    model_label     VARCHAR,
    run_id          VARCHAR NOT NULL
);
INSERT INTO mentions_012 SELECT * FROM mentions;
DROP TABLE mentions;
ALTER TABLE mentions_012 RENAME TO mentions;

CREATE TABLE quotes_012 (
    quote_id            VARCHAR NOT NULL,
    document_id         VARCHAR NOT NULL,
    start_char          INTEGER NOT NULL,
    end_char            INTEGER NOT NULL,
    text                VARCHAR NOT NULL,
    kind                VARCHAR NOT NULL,
    cue                 VARCHAR,
    cue_start_char      INTEGER,
    cue_end_char        INTEGER,
    speaker_text        VARCHAR,
    speaker_start_char  INTEGER,
    speaker_end_char    INTEGER,
    speaker_entity_id   VARCHAR,
    speaker_name        VARCHAR,
    sentence_index      INTEGER,
    run_id              VARCHAR NOT NULL,
    speaker_method      VARCHAR,
    speaker_confidence  DOUBLE
);
INSERT INTO quotes_012 SELECT * FROM quotes;
DROP TABLE quotes;
ALTER TABLE quotes_012 RENAME TO quotes;

CREATE TABLE document_bands_012 (
    band         SMALLINT NOT NULL,
    band_key     BIGINT NOT NULL,
    document_id  VARCHAR NOT NULL
);
INSERT INTO document_bands_012 SELECT * FROM document_bands;
DROP TABLE document_bands;
ALTER TABLE document_bands_012 RENAME TO document_bands;
