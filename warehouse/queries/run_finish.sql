UPDATE runs SET
    finished_at = $finished_at,
    status = $status,
    stage_seconds = $stage_seconds,
    error = $error
WHERE run_id = $run_id;
