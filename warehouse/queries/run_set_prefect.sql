UPDATE runs SET prefect_flow_run_id = $flow_run_id WHERE run_id = $run_id;
