-- Ranked full-text search with optional filters: BM25 (k1 = 1.2, b = 0.75) over the search
-- index (migration 009), every query term required. The query is split as the documents were
-- (search_words) and stemmed, but not stripped of stopwords: a query holding a stopword (or
-- an empty word, from a separator at either end) matches nothing, as fts's
-- match_bm25(..., conjunctive := 1) behaves, whose scores these equal. N, the mean length and
-- each term's document frequency are those of the whole index, whatever the filters.
WITH bm25 AS (
    SELECT 1.2::DOUBLE AS k1, 0.75::DOUBLE AS b
),
query_terms AS (
    SELECT DISTINCT search_term_id(stem(word, 'porter')) AS term_id
    FROM (SELECT unnest(search_words($query)) AS word)
),
collection AS (
    SELECT count(*) AS n, avg(length) AS mean_length
    FROM search_documents
),
matches AS MATERIALIZED (
    SELECT term_id, document_id, tf
    FROM search_postings
    WHERE term_id IN (SELECT term_id FROM query_terms)
),
frequencies AS (
    SELECT term_id, count(*) AS df
    FROM matches
    GROUP BY term_id
),
scores AS (  -- documents holding every query term
    SELECT m.document_id,
           sum(log10(1 + (c.n - f.df + 0.5) / (f.df + 0.5))
               * m.tf * (k1 + 1)
               / (m.tf + k1 * (1 - b + b * s.length / c.mean_length))) AS score
    FROM matches AS m
    JOIN frequencies AS f USING (term_id)
    JOIN search_documents AS s USING (document_id)
    CROSS JOIN collection AS c
    CROSS JOIN bm25
    GROUP BY m.document_id
    HAVING count(*) = (SELECT count(*) FROM query_terms)
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
