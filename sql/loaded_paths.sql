-- name: loaded_paths
-- purpose: The paths of every file the workspace loaded, as the user named them (any role).
-- binds: none
-- context: none

SELECT DISTINCT role, path FROM input_files ORDER BY path, role;
