-- What a new robots row does to the stored row with its key (see loader.insert_rows).
ON CONFLICT (origin) DO UPDATE SET
    fetched_at = excluded.fetched_at,
    status = excluded.status,
    body = excluded.body,
    run_id = excluded.run_id;
