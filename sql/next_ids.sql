-- name: next_ids
-- purpose: The next free load id and input file id of a workspace.
-- binds: none
-- context: none

-- A load id is never given twice, also when the record of the last load was removed (in
-- another program) after a match saw it: match_runs remembers the last id each match saw.
SELECT greatest(coalesce((SELECT max(load_id) FROM loads), 0),
                coalesce((SELECT max(last_load_id) FROM match_runs), 0)) + 1 AS load_id,
       coalesce((SELECT max(file_id) FROM input_files), -1) + 1 AS file_id;
