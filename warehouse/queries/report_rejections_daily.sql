-- Rejected inputs per day of rejection and (stage, reason), between $since and $until (a
-- rejected input has no site, so $site does not apply).
SELECT day, rejected_at_stage || ': ' || rejection_reason AS reason, sum(rejected) AS rejected,
       min(example_source) AS example_source
FROM report_rejections_daily
WHERE ($since IS NULL OR day >= $since)
  AND ($until IS NULL OR day <= $until)
GROUP BY ALL
ORDER BY day, reason;
