-- The macros of the search index, temporary: made on each connection that indexes or
-- searches (stem() needs the fts extension).
--
-- search_words: the words of a text as the search index splits it (the fts extension's
-- defaults): accents stripped, lower case, every run of ASCII digits and punctuation a
-- separator, then split on white space. The list can hold '' (text starting or ending with a separator).
CREATE OR REPLACE TEMP MACRO search_words(text) AS
    string_split_regex(
        regexp_replace(lower(strip_accents(CAST(text AS VARCHAR))), '[[:digit:][:punct:]]+', ' ',
                       'g'),
        '\s+');

-- search_term_id: the key of a stemmed term in search_terms and search_postings, the first 15
-- hex digits (60 bits) of its MD5. The postings stored hold these keys: changing this needs a
-- migration that re-indexes.
CREATE OR REPLACE TEMP MACRO search_term_id(term) AS
    CAST('0x' || left(md5(term), 15) AS BIGINT);
