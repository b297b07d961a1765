INSERT OR REPLACE INTO view_state (id, fingerprint, applied_at) VALUES (1, $fingerprint, $applied_at);
