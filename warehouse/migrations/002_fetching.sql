-- 002: what fetching keeps — every response's place in the WARC archive, robots.txt per
-- origin, and the health of every feed and sitemap.

-- One row per HTTP response received (and per 304 Not Modified). The body itself is in the
-- WARC file at (warc_path, warc_offset), out of the analysts' hot tables.
CREATE TABLE fetches (
    fetch_id       VARCHAR PRIMARY KEY,
    url            VARCHAR NOT NULL,       -- as requested
    canonical_url  VARCHAR NOT NULL,       -- what deduplication keys on
    final_url      VARCHAR NOT NULL,       -- after redirects
    status         INTEGER NOT NULL,
    fetched_at     TIMESTAMP NOT NULL,
    content_type   VARCHAR,
    etag           VARCHAR,
    last_modified  VARCHAR,
    body_bytes     BIGINT,
    body_sha256    VARCHAR,
    warc_path      VARCHAR,
    warc_offset    BIGINT,
    warc_length    BIGINT,
    run_id         VARCHAR NOT NULL
);

-- robots.txt as last fetched, per origin (scheme://host[:port]); status 0 = unreachable.
CREATE TABLE robots (
    origin      VARCHAR PRIMARY KEY,
    fetched_at  TIMESTAMP NOT NULL,
    status      INTEGER NOT NULL,
    body        VARCHAR NOT NULL,
    run_id      VARCHAR NOT NULL
);

-- One row per feed, sitemap or home page read for article links.
CREATE TABLE feeds (
    feed_url              VARCHAR PRIMARY KEY,
    kind                  VARCHAR NOT NULL,  -- rss | atom | json | sitemap | sitemap_index | homepage
    first_seen_at         TIMESTAMP NOT NULL,
    last_attempt_at       TIMESTAMP NOT NULL,
    last_success_at       TIMESTAMP,
    consecutive_failures  INTEGER NOT NULL DEFAULT 0,
    items_seen            BIGINT NOT NULL DEFAULT 0,
    new_articles          BIGINT NOT NULL DEFAULT 0,
    last_error            VARCHAR,
    run_id                VARCHAR NOT NULL
);
