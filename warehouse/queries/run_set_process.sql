-- 013: the process (pid, host name) that runs a run, recorded as it starts.
UPDATE runs SET pid = $pid, host = $host WHERE run_id = $run_id;
