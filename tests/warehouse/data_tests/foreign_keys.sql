-- Rows that point at nothing: mentions and quotes without a document or entity, documents and
-- rows without a run.
SELECT 'mention without document' AS problem, document_id AS id FROM mentions
WHERE document_id NOT IN (SELECT document_id FROM documents)
UNION ALL
SELECT 'mention without entity', entity_id FROM mentions
WHERE entity_id NOT IN (SELECT entity_id FROM entities)
UNION ALL
SELECT 'quote without document', document_id FROM quotes
WHERE document_id NOT IN (SELECT document_id FROM documents)
UNION ALL
SELECT 'speaker without entity', speaker_entity_id FROM quotes
WHERE speaker_entity_id IS NOT NULL
  AND speaker_entity_id NOT IN (SELECT entity_id FROM entities)
UNION ALL
SELECT 'document without run', run_id FROM documents
WHERE run_id NOT IN (SELECT run_id FROM runs)
UNION ALL
SELECT 'source without document', document_id FROM document_sources
WHERE document_id NOT IN (SELECT document_id FROM documents)
UNION ALL
SELECT 'copy of a missing document', duplicate_of FROM documents
WHERE duplicate_of IS NOT NULL AND duplicate_of NOT IN (SELECT document_id FROM documents)
UNION ALL
SELECT 'document without signature', document_id FROM documents
WHERE run_id IN (SELECT run_id FROM document_minhash)
  AND document_id NOT IN (SELECT document_id FROM document_minhash);
