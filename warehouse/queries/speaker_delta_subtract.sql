-- Before reprocessed documents' evidence is replaced: what it added to each speaker's sums
-- is taken away again (negative rows in the batch's delta; no role, which the merge clears
-- when it came from one of these documents).
INSERT INTO speaker_delta BY NAME
SELECT
    entity_id,
    NULL::BOOLEAN                  AS person,
    -count(*)::INTEGER             AS documents,
    -sum(quotes)::INTEGER          AS quotes,
    -sum(pronoun_female)::INTEGER  AS pronoun_female,
    -sum(pronoun_male)::INTEGER    AS pronoun_male,
    -sum(honorific_female)::INTEGER AS honorific_female,
    -sum(honorific_male)::INTEGER  AS honorific_male,
    -sum(noun_female)::INTEGER     AS noun_female,
    -sum(noun_male)::INTEGER       AS noun_male
FROM speaker_evidence
WHERE document_id IN (SELECT unnest($ids::VARCHAR[]))
GROUP BY entity_id;
