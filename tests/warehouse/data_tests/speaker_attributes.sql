-- Speaker rows that disagree with the evidence they sum: each speaker_attributes row holds
-- its speaker's speaker_evidence summed over documents (a batch adds its own sums, a
-- reprocess takes the old away), one row per speaker and per (document, speaker), and every
-- speaker with evidence has a row.
WITH sums AS (
    SELECT entity_id, count(*) AS documents, sum(quotes) AS quotes,
           sum(pronoun_female) AS pf, sum(pronoun_male) AS pm,
           sum(honorific_female) AS hf, sum(honorific_male) AS hm,
           sum(noun_female) AS nf, sum(noun_male) AS nm
    FROM speaker_evidence
    GROUP BY entity_id
)
SELECT 'speaker sums differ from evidence' AS problem, coalesce(a.entity_id, s.entity_id) AS id
FROM speaker_attributes AS a
FULL JOIN sums AS s USING (entity_id)
WHERE a.entity_id IS NULL OR s.entity_id IS NULL
   OR a.documents <> s.documents OR a.quotes <> s.quotes
   OR a.pronoun_female <> s.pf OR a.pronoun_male <> s.pm
   OR a.honorific_female <> s.hf OR a.honorific_male <> s.hm
   OR a.noun_female <> s.nf OR a.noun_male <> s.nm
UNION ALL
SELECT 'speaker_attributes.entity_id repeats', entity_id FROM speaker_attributes
GROUP BY entity_id HAVING count(*) > 1
UNION ALL
SELECT 'speaker_evidence key repeats', document_id || ':' || entity_id FROM speaker_evidence
GROUP BY document_id, entity_id HAVING count(*) > 1
UNION ALL
SELECT 'speaker evidence without document', document_id FROM speaker_evidence
WHERE document_id NOT IN (SELECT document_id FROM documents)
UNION ALL
SELECT 'organisation gendered', entity_id FROM speaker_attributes
WHERE NOT person AND gender <> 'unknown';
