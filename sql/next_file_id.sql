-- name: next_file_id
-- purpose: The file id the next file loaded into this database takes (one past the largest recorded).
-- binds: none
-- context: none
SELECT coalesce((SELECT max(file_id) FROM input_files), -1) + 1 AS file_id;
