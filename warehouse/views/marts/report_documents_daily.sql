-- Grain: one row per (publication day, site): how many documents each site published that
-- day, and how many stories they make once syndicated copies are counted once.
CREATE OR REPLACE VIEW report_documents_daily AS
WITH documents AS (
    SELECT * FROM stg_documents
)
SELECT
    published_date                                  AS day,
    site_name,
    count(*)                                        AS documents,
    count(DISTINCT story_id)                        AS stories,
    count(*) FILTER (WHERE duplicate_of IS NOT NULL) AS syndicated_copies
FROM documents
GROUP BY ALL;
