-- name: parquet_columns
-- purpose: The schema of one Parquet file as written (names before DuckDB renames a repeated one), in file order, with each element's number of children.
-- binds: path
-- context: none

SELECT name, num_children FROM parquet_schema($path);
