-- How many stored documents there are, and how many of them the search index holds (search
-- falls back to the plain search, which needs no index, until it holds them all).
SELECT (SELECT count(*) FROM documents) AS documents,
       (SELECT count(*) FROM search_documents) AS indexed;
