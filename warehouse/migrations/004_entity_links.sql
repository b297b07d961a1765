-- 004: cross-document entity links. When a document ties a short form to a long one
-- ("Collective Security Treaty Organization (CSTO)"), the short form's entity in every other
-- document is the long form's entity too: mentions keep their own entity_id, and the
-- intermediate view mentions_resolved follows the link.
CREATE TABLE entity_links (
    alias_entity_id  VARCHAR NOT NULL,   -- the entity of the short form on its own
    entity_id        VARCHAR NOT NULL,   -- the entity it stands for
    alias            VARCHAR NOT NULL,
    label            VARCHAR NOT NULL,
    run_id           VARCHAR NOT NULL,
    PRIMARY KEY (alias_entity_id, entity_id)
);
