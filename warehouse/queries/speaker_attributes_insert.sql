-- The merged rows of a batch's speakers; a speaker left in no document (after a reprocess)
-- has none.
INSERT INTO speaker_attributes BY NAME
SELECT * FROM speaker_merged WHERE documents > 0;
