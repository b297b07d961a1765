-- Runs that have finished (a running run's rows may still grow), oldest first, with their flow
-- (a reprocess changes rows of earlier runs in place).
SELECT run_id, flow FROM runs WHERE status <> 'running' ORDER BY started_at;
