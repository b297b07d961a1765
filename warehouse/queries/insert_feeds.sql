-- Bulk upsert of one attempt per feed: counters add up, failures count in a row.
INSERT INTO feeds BY NAME
SELECT unnest(from_json($rows::JSON, '[{
    "feed_url": "VARCHAR", "kind": "VARCHAR", "first_seen_at": "TIMESTAMP",
    "last_attempt_at": "TIMESTAMP", "last_success_at": "TIMESTAMP",
    "consecutive_failures": "INTEGER", "items_seen": "BIGINT", "new_articles": "BIGINT",
    "last_error": "VARCHAR", "run_id": "VARCHAR"}]'), recursive := true)
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
