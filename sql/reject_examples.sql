-- name: reject_examples
-- purpose: The first few rejected rows of one input, in file order, to quote in an error message.
-- binds: role, limit
-- context: none

SELECT file, line, error
FROM rejects
WHERE role = $role
ORDER BY file_id, line NULLS LAST
LIMIT $limit;
