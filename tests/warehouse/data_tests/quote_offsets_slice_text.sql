-- Every quote's content, cue and speaker offsets slice the stored clean text to their text.
SELECT q.quote_id, q.text
FROM quotes AS q
JOIN documents AS d USING (document_id)
WHERE substring(d.clean_text, q.start_char + 1, q.end_char - q.start_char) <> q.text
   OR (q.cue IS NOT NULL AND substring(d.clean_text, q.cue_start_char + 1,
                                       q.cue_end_char - q.cue_start_char) <> q.cue)
   OR (q.speaker_text IS NOT NULL AND substring(d.clean_text, q.speaker_start_char + 1,
                                  q.speaker_end_char - q.speaker_start_char) <> q.speaker_text);
