SELECT feed_url, consecutive_failures, last_attempt_at
FROM feeds
WHERE feed_url IN (SELECT unnest($urls::VARCHAR[]));
