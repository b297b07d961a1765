-- The postings of the given documents that are stored and not yet indexed, into the temporary
-- table search_staged: one row per (document, term) with the term's key and count, and one
-- row with a NULL term and count 0 for a document with no term at all (it is indexed with
-- length 0).
-- Title and clean text are indexed as one: a word counts wherever it occurs.
--
-- The ids come as string literals in place of __IDS__ (search.index_batch writes them): a
-- constant IN list (up to 2048 values) is looked up in the key's index, where a bound list or
-- a join would read every stored id, a cost that grows with the warehouse.
CREATE OR REPLACE TEMP TABLE search_staged AS
WITH pending AS (
    SELECT d.document_id, d.title, d.clean_text
    FROM documents AS d
    WHERE d.document_id IN (__IDS__)
      AND d.document_id NOT IN (SELECT s.document_id FROM search_documents AS s
                                WHERE s.document_id IN (__IDS__))
),
words AS (
    SELECT document_id, unnest(search_words(title)) AS word FROM pending
    UNION ALL
    SELECT document_id, unnest(search_words(clean_text)) AS word FROM pending
),
terms AS (
    SELECT document_id, stem(word, 'porter') AS term
    FROM words
    WHERE word <> '' AND word NOT IN (SELECT word FROM search_stopwords)
),
counted AS (
    SELECT pending.document_id, terms.term, count(terms.term) AS tf
    FROM pending
    LEFT JOIN terms USING (document_id)
    GROUP BY pending.document_id, terms.term
),
keys AS (
    SELECT term, search_term_id(term) AS term_id
    FROM (SELECT DISTINCT term FROM counted WHERE term IS NOT NULL)
)
SELECT counted.document_id, counted.term, keys.term_id, counted.tf
FROM counted
LEFT JOIN keys USING (term);
