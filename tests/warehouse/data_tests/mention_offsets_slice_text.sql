-- Every mention's offsets slice the stored clean text to exactly its text.
SELECT m.document_id, m.start_char, m.end_char, m.text
FROM mentions AS m
JOIN documents AS d USING (document_id)
WHERE substring(d.clean_text, m.start_char + 1, m.end_char - m.start_char) <> m.text
   OR m.start_char < 0 OR m.end_char <= m.start_char;
