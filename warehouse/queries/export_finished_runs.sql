-- Runs that have finished (a running run's rows may still grow), oldest first.
SELECT run_id FROM runs WHERE status <> 'running' ORDER BY started_at;
