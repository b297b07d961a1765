-- The words of each part of a search query as the index holds them (search_words, without
-- the empty words a separator leaves and without stopwords), and each part's phrase text
-- (search_phrase_text). On a warehouse older than migration 009, which has no
-- search_stopwords, search.py leaves the stopword condition out.
WITH parts AS (
    SELECT unnest(range(len($texts::VARCHAR[]))) AS part, unnest($texts::VARCHAR[]) AS text
),
words AS (
    SELECT part, unnest(search_words(text)) AS word FROM parts
)
SELECT parts.part,
       list(words.word ORDER BY words.word) FILTER (WHERE words.word IS NOT NULL) AS words,
       search_phrase_text(parts.text) AS phrase
FROM parts
LEFT JOIN words
       ON words.part = parts.part AND words.word <> ''
      AND words.word NOT IN (SELECT word FROM search_stopwords)
GROUP BY parts.part, parts.text
ORDER BY parts.part;
