-- 006: how the stored clean text maps back to the text as extracted (before normalisation):
-- a JSON list of runs [clean_start, raw_start, length] where the two agree character for
-- character. The extracted text itself is regenerated from the file or the WARC archive.
ALTER TABLE documents ADD COLUMN raw_offsets JSON;
