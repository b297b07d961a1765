-- Grain: one row per rejected input per run. Renames and casts only.
CREATE OR REPLACE VIEW stg_rejections AS
SELECT
    run_id,
    source,
    stage      AS rejected_at_stage,
    reason     AS rejection_reason,
    detail     AS rejection_detail,
    rejected_at
FROM rejections;
