-- The batch's merged speaker rows, once written.
DROP TABLE IF EXISTS speaker_merged;
