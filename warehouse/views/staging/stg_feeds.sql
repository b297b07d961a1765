-- Grain: one row per feed, sitemap or home page. Renames and casts only.
CREATE OR REPLACE VIEW stg_feeds AS
SELECT
    feed_url,
    kind,
    first_seen_at,
    last_attempt_at,
    last_success_at,
    consecutive_failures,
    items_seen,
    new_articles,
    last_error,
    run_id AS last_run_id
FROM feeds;
