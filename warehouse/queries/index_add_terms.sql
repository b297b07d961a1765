-- The staged terms (index_stage) the index did not hold yet into its dictionary.
INSERT INTO search_terms (term_id, term)
SELECT DISTINCT term_id, term
FROM search_staged
WHERE term IS NOT NULL
ON CONFLICT DO NOTHING;
