-- name: parquet_row_count
-- purpose: The number of rows a Parquet file's own metadata declares (an independent count).
-- binds: path
-- context: none

SELECT coalesce(sum(num_rows), 0) AS row_count FROM parquet_file_metadata($path);
