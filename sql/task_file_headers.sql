-- name: task_file_headers
-- purpose: The header (JSON list of column names) of every task file, in reading order, and the positions of its columns typed as numbers (JSON, NULL for none).
-- binds: none
-- context: none

SELECT file_id, header, numeric FROM input_files WHERE role = 'tasks' ORDER BY file_id;
