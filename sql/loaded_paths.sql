-- name: loaded_paths
-- purpose: The paths of every file the workspace loaded, as the user named them (any role), with the sha256 of the content loaded.
-- binds: none
-- context: none

SELECT DISTINCT role, path, content_hash FROM loads ORDER BY path, role, content_hash;
