-- Runs still marked running that a process of this host started (with when it started them).
SELECT run_id, pid, started_at
FROM runs
WHERE status = 'running' AND host = $host AND pid IS NOT NULL
ORDER BY started_at;
