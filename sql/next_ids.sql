-- name: next_ids
-- purpose: The next free load id and input file id of a workspace.
-- binds: none
-- context: none

SELECT coalesce((SELECT max(load_id) FROM loads), 0) + 1 AS load_id,
       coalesce((SELECT max(file_id) FROM input_files), -1) + 1 AS file_id;
