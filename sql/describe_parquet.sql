-- name: describe_parquet
-- purpose: List the columns and types of one Parquet file, in file order.
-- binds: path
-- context: none

SELECT column_name, column_type
FROM (DESCRIBE SELECT * FROM read_parquet($path, hive_partitioning = false));
