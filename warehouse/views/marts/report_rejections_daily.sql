-- Grain: one row per (day of rejection, stage, reason): how many inputs were refused, with
-- one of them as an example.
CREATE OR REPLACE VIEW report_rejections_daily AS
WITH rejections AS (
    SELECT * FROM stg_rejections
)
SELECT
    CAST(rejected_at AS DATE) AS day,
    rejected_at_stage,
    rejection_reason,
    count(*)                  AS rejected,
    min(source)               AS example_source
FROM rejections
GROUP BY ALL;
