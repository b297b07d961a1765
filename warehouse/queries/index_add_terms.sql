-- The staged terms (index_stage) the index did not hold yet into its dictionary. The table
-- declares no key (migration 014): the terms already stored are found by a semi-join that
-- builds on the batch's few terms and scans only term_id.
INSERT INTO search_terms (term_id, term)
SELECT DISTINCT n.term_id, n.term
FROM search_staged AS n
ANTI JOIN (
    SELECT t.term_id FROM search_terms AS t SEMI JOIN search_staged AS b ON t.term_id = b.term_id
) AS stored ON stored.term_id = n.term_id
WHERE n.term IS NOT NULL;
