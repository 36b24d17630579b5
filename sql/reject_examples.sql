-- name: reject_examples
-- purpose: The first few rejected rows of one input (or of some of its files), in file order, the deleted records last or left out, to quote in an error message or list.
-- binds: role, file_ids, limit, deleted_errors, counted_only
-- context: none

-- $file_ids NULL: every file of the role (a one-shot run); else the files of one load command.
-- $deleted_errors: the texts of a deleted record's reject, which --max-rejects does not count:
-- the rows it counts come first; $counted_only leaves the deleted records out (an error that
-- says they are not counted quoted them as its first rejected rows).
SELECT file, line, error
FROM rejects
WHERE role = $role AND ($file_ids IS NULL OR list_contains($file_ids, file_id))
  AND NOT ($counted_only AND list_contains($deleted_errors, error))
ORDER BY list_contains($deleted_errors, error), file_id, line NULLS LAST, "column", error
LIMIT $limit;
