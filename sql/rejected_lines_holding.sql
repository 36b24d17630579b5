-- name: rejected_lines_holding
-- purpose: The first rejected task line that holds an id as a whole cell: a record that never became a row (malformed, bytes not in the file's encoding), which explain names when it finds no task with that id.
-- binds: task_id
-- context: none

-- Only records that never became rows (no column named: a row rejected for a value is in
-- task_rows, which explain_task reads). Which cell holds the id is not known (a record's
-- cells may be too many or too few): explain says the line holds it, not that it is its id.
-- The id as written and, for a Salesforce id, in its other length (a report's 15 characters
-- for an 18-character id asked, or the 18 of a 15 asked): the line holds the id as exported.
WITH asked AS (
    SELECT ct_clean($task_id) AS id, ct_sf18(ct_clean($task_id)) AS id18
)
SELECT j.file, j.line, j.error
FROM rejects AS j, asked AS a
WHERE j.role = 'tasks' AND j."column" IS NULL AND j.raw IS NOT NULL
  -- a cell between delimiters or quotes (and the spaces beside them, which the loader trims
  -- too): not a part of a time or of a text's words
  AND (ct_raw_holds(trim(j.raw), a.id, ' *[,;\t|"] *')
       OR ct_raw_holds(trim(j.raw), a.id18, ' *[,;\t|"] *')
       OR (length(a.id) = 18 AND ct_raw_holds(trim(j.raw), left(a.id, 15), ' *[,;\t|"] *')))
ORDER BY j.file_id, j.line
LIMIT 1;
