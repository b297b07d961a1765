-- 005: the Prefect flow run behind a newsmill run (NULL when run without Prefect), so that a
-- run that crashes or is cancelled in Prefect is marked so in the warehouse too.
ALTER TABLE runs ADD COLUMN prefect_flow_run_id VARCHAR;
