-- Speaker evidence (per document and speaker) set by the given runs.
SELECT * FROM speaker_evidence WHERE run_id IN (SELECT unnest($runs::VARCHAR[]));
