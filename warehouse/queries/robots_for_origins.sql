SELECT origin, fetched_at, status, body
FROM robots
WHERE origin IN (SELECT unnest($origins::VARCHAR[]));
