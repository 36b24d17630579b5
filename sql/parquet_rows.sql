-- name: parquet_rows
-- purpose: Some rows of a Parquet file as JSON text, by 0-based row number (raw text for rejects).
-- binds: path, row_numbers
-- context: none

-- the row number is calltouch's, not one of the file's columns: it is left out of the text
SELECT file_row_number, CAST(json_remove(to_json(t), '$.file_row_number') AS VARCHAR) AS raw
FROM (SELECT * FROM read_parquet($path, file_row_number = true, hive_partitioning = false)) AS t
WHERE file_row_number IN (SELECT unnest($row_numbers))
ORDER BY file_row_number;
