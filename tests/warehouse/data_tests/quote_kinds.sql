-- Quote kinds outside the documented set, and run statuses outside theirs.
SELECT 'quote kind' AS problem, kind AS value FROM quotes
WHERE kind NOT IN ('direct', 'indirect', 'mixed')
UNION ALL
SELECT 'run status', status FROM runs WHERE status NOT IN ('running', 'completed', 'failed', 'crashed', 'cancelled');
