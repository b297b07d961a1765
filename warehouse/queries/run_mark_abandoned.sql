-- A run whose process is gone without finishing it, if it is still marked running.
UPDATE runs SET
    status = $status,
    finished_at = $finished_at,
    error = coalesce(error, $error)
WHERE run_id = $run_id AND status = 'running';
