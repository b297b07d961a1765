SELECT fingerprint FROM view_state WHERE id = 1;
