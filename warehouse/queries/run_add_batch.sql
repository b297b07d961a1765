-- Counts are added inside the batch's own transaction, so the run row always agrees with the
-- batches that are really in the warehouse, even after a crash.
UPDATE runs SET
    docs_seen = docs_seen + $seen,
    docs_loaded = docs_loaded + $loaded,
    docs_unchanged = docs_unchanged + $unchanged,
    docs_rejected = docs_rejected + $rejected,
    batches_committed = batches_committed + 1
WHERE run_id = $run_id;
