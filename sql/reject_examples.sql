-- name: reject_examples
-- purpose: The first few rejected rows of one input (or of some of its files), in file order, to quote in an error message.
-- binds: role, file_ids, limit
-- context: none

-- $file_ids NULL: every file of the role (a one-shot run); else the files of one load command
SELECT file, line, error
FROM rejects
WHERE role = $role AND ($file_ids IS NULL OR list_contains($file_ids, file_id))
ORDER BY file_id, line NULLS LAST, "column", error
LIMIT $limit;
