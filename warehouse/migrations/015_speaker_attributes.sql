-- 015: who gets quoted. speaker_evidence keeps, per document and speaker entity, what that
-- document says of the speaker: the gender evidence counted (pronouns, honorifics, gendered
-- nouns), the gender it gives, and the role, its category and the affiliated entity.
-- speaker_attributes keeps one row per speaker entity: the evidence summed over every
-- document it speaks in and the gender that sum gives, with the run that last set them. A
-- batch adds its own sums to the stored ones (queries/speaker_attributes_merge.sql), so
-- its cost is its own speakers, not the warehouse's documents; a reprocess takes the old
-- evidence of its documents away first. Neither table declares a key (see 012 and 014):
-- the loader writes evidence only with a new document, and replaces an entity's row.
CREATE TABLE speaker_evidence (
    document_id            VARCHAR NOT NULL,
    entity_id              VARCHAR NOT NULL,
    quotes                 INTEGER NOT NULL,
    pronoun_female         INTEGER NOT NULL,
    pronoun_male           INTEGER NOT NULL,
    honorific_female       INTEGER NOT NULL,
    honorific_male         INTEGER NOT NULL,
    noun_female            INTEGER NOT NULL,
    noun_male              INTEGER NOT NULL,
    gender                 VARCHAR NOT NULL,
    gender_method          VARCHAR NOT NULL,
    gender_confidence      DOUBLE,
    name_gender            VARCHAR,
    role                   VARCHAR,
    role_start_char        INTEGER,
    role_end_char          INTEGER,
    role_method            VARCHAR,
    role_category          VARCHAR NOT NULL,
    affiliation_entity_id  VARCHAR,
    run_id                 VARCHAR NOT NULL
);

CREATE TABLE speaker_attributes (
    entity_id              VARCHAR NOT NULL,
    person                 BOOLEAN NOT NULL,
    documents              INTEGER NOT NULL,
    quotes                 INTEGER NOT NULL,
    pronoun_female         INTEGER NOT NULL,
    pronoun_male           INTEGER NOT NULL,
    honorific_female       INTEGER NOT NULL,
    honorific_male         INTEGER NOT NULL,
    noun_female            INTEGER NOT NULL,
    noun_male              INTEGER NOT NULL,
    gender                 VARCHAR NOT NULL,
    gender_method          VARCHAR NOT NULL,
    gender_confidence      DOUBLE,
    name_gender            VARCHAR,
    role                   VARCHAR,
    role_category          VARCHAR NOT NULL,
    affiliation_entity_id  VARCHAR,
    role_document_id       VARCHAR,
    run_id                 VARCHAR NOT NULL,
    updated_at             TIMESTAMP NOT NULL
);
