-- The columns of one warehouse table and their types, in table order.
SELECT column_name, data_type
FROM duckdb_columns()
WHERE schema_name = 'main' AND table_name = $table
ORDER BY column_index;
