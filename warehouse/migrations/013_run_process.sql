-- 013: the process that runs each run (its pid and host name), so that a later run on the same
-- host can tell a run left 'running' by a process that is gone (killed, out of memory, the
-- machine restarted) from one still under way, and mark it crashed. NULL on older runs.
ALTER TABLE runs ADD COLUMN pid INTEGER;
ALTER TABLE runs ADD COLUMN host VARCHAR;
