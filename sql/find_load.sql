-- name: find_load
-- purpose: The earlier load of a file with the same content (and role), if any.
-- binds: role, content_hash
-- context: none

SELECT load_id, path, loaded_at
FROM loads
WHERE role = $role AND content_hash = $content_hash
ORDER BY load_id
LIMIT 1;
