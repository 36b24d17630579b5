-- name: add_input_file
-- purpose: Record one loaded file with its counts, mapping and header.
-- binds: file_id, role, path, format, time_zone, rows_read, rows_loaded, rows_rejected, mapping, header, summary
-- context: none

INSERT INTO input_files
VALUES ($file_id, $role, $path, $format, $time_zone, $rows_read, $rows_loaded, $rows_rejected,
        $mapping, $header, $summary);
