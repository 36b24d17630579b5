-- name: file_readings
-- purpose: Each loaded file's id, path, role, column mapping and header (JSON), in loading order: which of its columns the load read.
-- binds: none
-- context: none

SELECT file_id, path, role, mapping, header
FROM input_files
ORDER BY file_id;
