-- name: task_file_headers
-- purpose: The header (JSON list of column names) of every task file, in reading order.
-- binds: none
-- context: none

SELECT file_id, header FROM input_files WHERE role = 'tasks' ORDER BY file_id;
