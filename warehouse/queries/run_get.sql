SELECT run_id, flow, started_at, finished_at, status, docs_seen, docs_loaded, docs_unchanged,
       docs_rejected, batches_committed, error
FROM runs
WHERE run_id = $run_id;
