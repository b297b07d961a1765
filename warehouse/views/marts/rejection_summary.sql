-- Grain: one row per (run, stage, reason): what was refused and how often.
CREATE OR REPLACE VIEW rejection_summary AS
WITH rejections AS (
    SELECT * FROM stg_rejections
)
SELECT run_id, rejected_at_stage, rejection_reason, count(*) AS rejected,
       min(source) AS example_source
FROM rejections
GROUP BY ALL
ORDER BY run_id, rejected DESC;
