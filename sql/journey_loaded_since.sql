-- name: journey_loaded_since
-- purpose: Whether an id given to `calltouch journey` is the WhoId of a usable task row loaded after the last match (a stale workspace), which has not made it a person yet.
-- binds: id, last_load_id
-- context: none

SELECT EXISTS (
    SELECT 1 FROM task_rows
    WHERE who_id = $id AND _error_field IS NULL  -- $id as stored (queries.stored_id)
      AND _file_id IN (SELECT file_id FROM loads WHERE load_id > $last_load_id)
) AS loaded_since;
