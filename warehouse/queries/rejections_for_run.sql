SELECT source, stage, reason, detail
FROM rejections
WHERE run_id = $run_id
ORDER BY source;
