-- The Porter stems of words (as the search index stems them: the fts extension's stem()).
SELECT word, stem(word, 'porter') AS stem
FROM (SELECT DISTINCT unnest($words::VARCHAR[]) AS word);
