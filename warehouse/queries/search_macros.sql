-- The macros of a search with phrases, temporary: made on each connection that searches.
--
-- search_phrase_text: a text as a quoted phrase is looked for in it: accents stripped, lower
-- case, every run of characters that are neither letters nor digits one space, a space at
-- either end; so a phrase matches as whole words in order, whatever punctuation or line
-- breaks stand between them ("Port  strike," holds "port strike", "transport strike" does not).
CREATE OR REPLACE TEMP MACRO search_phrase_text(text) AS
    ' ' || trim(regexp_replace(lower(strip_accents(coalesce(CAST(text AS VARCHAR), ''))),
                               '[^\p{L}\p{N}]+', ' ', 'g')) || ' ';

-- search_holds_phrase: whether a document's title or text holds the phrase, given as
-- search_phrase_text made it.
CREATE OR REPLACE TEMP MACRO search_holds_phrase(title, text, phrase) AS
    contains(search_phrase_text(title), phrase) OR contains(search_phrase_text(text), phrase);
