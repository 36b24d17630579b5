-- name: add_input_file
-- purpose: Record one loaded file with its counts, mapping and header.
-- binds: file_id, role, path, format, time_zone, rows_read, rows_loaded, rows_rejected, mapping, header, summary, numeric, types
-- context: none

INSERT INTO input_files BY NAME
SELECT $file_id AS file_id, $role AS role, $path AS path, $format AS format,
       $time_zone AS time_zone, $rows_read AS rows_read, $rows_loaded AS rows_loaded,
       $rows_rejected AS rows_rejected, $mapping AS mapping, $header AS header,
       $summary AS summary, $numeric AS numeric, $types AS types;
