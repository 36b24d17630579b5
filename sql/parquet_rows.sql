-- name: parquet_rows
-- purpose: Some rows of a Parquet file as JSON text, by 0-based row number (raw text for rejects).
-- binds: path, row_numbers
-- context: none

-- the row number is calltouch's, not one of the file's columns: it is left out of the text by
-- the lateral row ct__row (json_remove read the JSON back with numbers as doubles: a DECIMAL
-- 123456789012345671.68 showed as 123456789012345660.0 beside the error naming the first); a
-- ct__ name is no file's column (the loader refuses one), so the alias meets none of them
SELECT t.file_row_number, CAST(to_json(ct__row) AS VARCHAR) AS raw
FROM (SELECT * FROM read_parquet($path, file_row_number = true, hive_partitioning = false)) AS t,
     LATERAL (SELECT t.* EXCLUDE (file_row_number)) AS ct__row
WHERE t.file_row_number IN (SELECT unnest($row_numbers))
ORDER BY t.file_row_number;
