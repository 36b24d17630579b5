-- name: earlier_content
-- purpose: The latest earlier load of the same file (by its absolute path, same role) with other content: a re-downloaded export, whose rows it no longer holds stay in the workspace.
-- binds: role, full_path, content_hash
-- context: none

SELECT load_id, loaded_at
FROM loads
WHERE role = $role AND full_path = $full_path AND content_hash <> $content_hash
ORDER BY load_id DESC
LIMIT 1;
