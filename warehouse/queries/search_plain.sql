-- The fallback search where the fts extension cannot be loaded or the index is incomplete.
-- The query comes parsed as for search_bm25, its parts' words unstemmed ($part_words): a
-- document matches a part when its title or text (lower case, accents stripped) contains every
-- word of the part, or, for a quoted phrase, the phrase's words in order; it is found when it
-- matches a part of every clause and no excluded part (clause -1). Ranked by how often the
-- words of the parts it matches occur, title matches counting 5 times.
WITH parts AS (
    SELECT unnest(range(len($part_clause::INTEGER[]))) AS part,
           unnest($part_clause::INTEGER[]) AS clause,
           unnest($part_words::VARCHAR[][]) AS words,
           unnest($part_phrase::VARCHAR[]) AS phrase
),
clauses AS (
    SELECT count(DISTINCT clause) AS n FROM parts WHERE clause >= 0
),
texts AS (
    SELECT document_id, lower(strip_accents(coalesce(title, ''))) AS title,
           lower(strip_accents(clean_text)) AS body, title AS raw_title,
           clean_text AS raw_body
    FROM stg_documents
),
matched AS MATERIALIZED (
    SELECT p.part, p.clause, t.document_id
    FROM texts AS t, parts AS p
    WHERE CASE WHEN p.phrase IS NOT NULL
               THEN search_holds_phrase(t.raw_title, t.raw_body, p.phrase)
               ELSE len(list_filter(p.words, w -> NOT contains(t.title || ' ' || t.body, w))) = 0
          END
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
used AS (  -- the distinct words of the parts each found document matches
    SELECT DISTINCT m.document_id, unnest(p.words) AS word
    FROM found
    JOIN matched AS m USING (document_id)
    JOIN parts AS p ON p.part = m.part
    WHERE m.clause >= 0
),
scores AS (
    SELECT u.document_id,
           sum((length(t.body) - length(replace(t.body, u.word, ''))) / length(u.word)
               + 5 * (length(t.title) - length(replace(t.title, u.word, ''))) / length(u.word))
               AS score
    FROM used AS u
    JOIN texts AS t USING (document_id)
    GROUP BY u.document_id
)
SELECT d.document_id, d.title, d.site_name, d.published_at, d.source, d.clean_text, s.score
FROM (SELECT document_id, title, site_name, published_at, first_source AS source, clean_text
      FROM search_scope($since, $until, $site, $entity)) AS d
JOIN scores AS s USING (document_id)
ORDER BY s.score DESC, d.published_at DESC NULLS LAST, d.document_id
LIMIT $limit;
