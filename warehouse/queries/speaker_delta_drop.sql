-- The batch's delta, once merged.
DROP TABLE IF EXISTS speaker_delta;
