-- Every feed, sitemap and home page as last attempted: health, items seen, new articles.
SELECT feed_url, kind, health, consecutive_failures, last_attempt_at, last_success_at,
       items_seen, new_articles, last_error
FROM feed_health
ORDER BY feed_url;
