-- Whether a warehouse table declares a primary key or a unique constraint.
SELECT count(*) > 0
FROM duckdb_constraints()
WHERE schema_name = 'main' AND table_name = $table
  AND constraint_type IN ('PRIMARY KEY', 'UNIQUE');
