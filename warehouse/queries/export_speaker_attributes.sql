-- Every speaker's attributes as they stand now: each run adds to the sums of the speakers it
-- saw, so the table is exported whole every time ($runs, the runs being exported, is only
-- checked to be given).
SELECT * FROM speaker_attributes WHERE $runs::VARCHAR[] IS NOT NULL;
