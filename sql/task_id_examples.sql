-- name: task_id_examples
-- purpose: A few task ids of the workspace, to suggest when an unknown id is asked for.
-- binds: limit
-- context: none

SELECT task_id FROM tasks ORDER BY task_id LIMIT $limit;
