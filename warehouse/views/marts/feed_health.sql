-- Grain: one row per feed or sitemap: is it working, and what does it bring?
CREATE OR REPLACE VIEW feed_health AS
WITH feeds AS (
    SELECT * FROM stg_feeds
)
SELECT
    feed_url,
    kind,
    CASE
        WHEN consecutive_failures = 0 THEN 'ok'
        WHEN consecutive_failures < 3 THEN 'failing'
        ELSE 'backed off'
    END AS health,
    consecutive_failures,
    last_attempt_at,
    last_success_at,
    items_seen,
    new_articles,
    last_error
FROM feeds
ORDER BY consecutive_failures DESC, feed_url;
