-- name: loaded_paths
-- purpose: The paths of every file the workspace loaded, as the user named them (any role), with the absolute path when loaded and the sha256 of the content loaded.
-- binds: none
-- context: full_path

-- full_path: the workspace has loads.full_path (one loaded by an older calltouch has not).
SELECT DISTINCT role, path, content_hash,
       {% if full_path %}full_path{% else %}NULL{% endif %} AS full_path
FROM loads
ORDER BY path, role, content_hash, full_path;
