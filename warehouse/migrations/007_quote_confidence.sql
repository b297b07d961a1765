-- 007: how each quote's speaker was found ('name', 'apposition', 'pronoun-previous-speaker',
-- 'inherited' ...) and how reliable that way was when measured (0–1; NULL when the quote has
-- no resolved speaker). Quotes loaded before this migration keep NULL in both.
ALTER TABLE quotes ADD COLUMN speaker_method VARCHAR;
ALTER TABLE quotes ADD COLUMN speaker_confidence DOUBLE;
