-- The stored rows of the speakers a batch merged (speaker_merged) go; their merged rows
-- replace them.
DELETE FROM speaker_attributes WHERE entity_id IN (SELECT entity_id FROM speaker_merged);
