-- A run whose Prefect flow run crashed or was cancelled, if it had not finished itself.
UPDATE runs SET
    status = $status,
    finished_at = $finished_at,
    error = coalesce(error, $error)
WHERE prefect_flow_run_id = $flow_run_id AND status = 'running';
