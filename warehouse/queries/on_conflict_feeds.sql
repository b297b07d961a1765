-- What a new feeds row does to the stored row with its key (see loader.insert_rows).
ON CONFLICT (feed_url) DO UPDATE SET
    kind = excluded.kind,
    last_attempt_at = excluded.last_attempt_at,
    last_success_at = coalesce(excluded.last_success_at, feeds.last_success_at),
    consecutive_failures = CASE WHEN excluded.last_success_at IS NULL
                                THEN feeds.consecutive_failures + 1 ELSE 0 END,
    items_seen = feeds.items_seen + excluded.items_seen,
    new_articles = feeds.new_articles + excluded.new_articles,
    last_error = excluded.last_error,
    run_id = excluded.run_id;
