-- Ranked full-text search with optional filters: BM25 (k1 = 1.2, b = 0.75) over the search
-- index (migration 009). The query comes parsed (search.parse_query) as parts, each a list of
-- stemmed terms (stopwords already dropped) in a clause: $part_clause holds each part's
-- clause, -1 for a part to exclude; $part_terms its stems; $part_phrase its phrase text
-- (search_phrase_text) when it is a quoted phrase, else NULL. A document matches a part when
-- it holds every term of the part (and a phrase part's words in order, checked in its title
-- and stored text), and is found when it matches a part of every clause and no excluded part.
-- Its score sums, over the distinct terms of the parts it matches, the BM25 weight of each: for
-- a query of plain words (one clause per word) that equals fts's match_bm25(...,
-- conjunctive := 1). N, the mean length and each term's document frequency are those of the
-- whole index, whatever the filters.
WITH bm25 AS (
    SELECT 1.2::DOUBLE AS k1, 0.75::DOUBLE AS b
),
parts AS (
    SELECT unnest(range(len($part_clause::INTEGER[]))) AS part,
           unnest($part_clause::INTEGER[]) AS clause,
           unnest($part_terms::VARCHAR[][]) AS terms,
           unnest($part_phrase::VARCHAR[]) AS phrase
),
part_terms AS (
    SELECT DISTINCT part, clause, search_term_id(unnest(terms)) AS term_id
    FROM parts
),
part_sizes AS (
    SELECT part, count(*) AS terms FROM part_terms GROUP BY part
),
clauses AS (
    SELECT count(DISTINCT clause) AS n FROM parts WHERE clause >= 0
),
collection AS (
    SELECT count(*) AS n, avg(length) AS mean_length
    FROM search_documents
),
matches AS MATERIALIZED (
    SELECT term_id, document_id, tf
    FROM search_postings
    WHERE term_id IN (SELECT term_id FROM part_terms)
),
frequencies AS (
    SELECT term_id, count(*) AS df
    FROM matches
    GROUP BY term_id
),
holding AS (  -- (part, document) where the document holds every term of the part
    SELECT t.part, m.document_id
    FROM part_terms AS t
    JOIN matches AS m USING (term_id)
    JOIN part_sizes AS s USING (part)
    GROUP BY t.part, m.document_id, s.terms
    HAVING count(*) = s.terms
),
matched AS MATERIALIZED (  -- phrases checked against the words in order, in title or text
    SELECT h.part, p.clause, h.document_id
    FROM holding AS h
    JOIN parts AS p USING (part)
    LEFT JOIN documents AS d ON p.phrase IS NOT NULL AND d.document_id = h.document_id
    WHERE p.phrase IS NULL OR search_holds_phrase(d.title, d.clean_text, p.phrase)
),
found AS (
    SELECT document_id
    FROM matched
    WHERE clause >= 0
    GROUP BY document_id
    HAVING count(DISTINCT clause) = (SELECT n FROM clauses)
    EXCEPT
    SELECT document_id FROM matched WHERE clause < 0
),
scores AS (
    SELECT m.document_id,
           sum(log10(1 + (c.n - f.df + 0.5) / (f.df + 0.5))
               * m.tf * (k1 + 1)
               / (m.tf + k1 * (1 - b + b * s.length / c.mean_length))) AS score
    FROM (SELECT DISTINCT t.term_id, x.document_id  -- the terms of the parts each matches
          FROM found AS x
          JOIN matched AS y USING (document_id)
          JOIN part_terms AS t ON t.part = y.part
          WHERE y.clause >= 0) AS used
    JOIN matches AS m USING (term_id, document_id)
    JOIN frequencies AS f USING (term_id)
    JOIN search_documents AS s USING (document_id)
    CROSS JOIN collection AS c
    CROSS JOIN bm25
    GROUP BY m.document_id
),
ranked AS (  -- the page of results first, so that only its documents' text is read
    SELECT scores.document_id, scores.score, scope.published_at
    FROM scores
    JOIN search_scope($since, $until, $site, $entity) AS scope USING (document_id)
    -- Scores equal to 1e-9 are a tie (float sums differ in the last bits with the order of
    -- their terms): newest first, then by id, so the order is the same on every run.
    ORDER BY round(scores.score, 9) DESC, scope.published_at DESC NULLS LAST, scores.document_id
    LIMIT $limit
)
SELECT d.document_id, d.title, d.site_name, d.published_at, d.first_source AS source, d.clean_text,
       ranked.score
FROM ranked
JOIN stg_documents AS d USING (document_id)
ORDER BY round(ranked.score, 9) DESC, ranked.published_at DESC NULLS LAST, ranked.document_id;
