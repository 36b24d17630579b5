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
),
-- a delimiter or quote with the white space ct_clean trims beside it (ct_white, as a class)
white AS (
    SELECT '[\s\x{0B}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]*'
        AS w
),
separators AS (
    SELECT w || '[,;\t|"]' || w AS seps FROM white
)
SELECT j.file, j.line, j.error
FROM (
    SELECT file_id, file, line, error, trim(raw, ct_white()) AS raw
    FROM rejects
    WHERE role = 'tasks' AND "column" IS NULL AND raw IS NOT NULL
) AS j, asked AS a, separators AS s
-- a cell between delimiters or quotes, with the white space beside them that the loader
-- trims (ct_white: no-break spaces too): not a part of a time or of a text's words
WHERE ct_raw_holds(j.raw, a.id, s.seps)
   OR ct_raw_holds(j.raw, a.id18, s.seps)
   OR (length(a.id) = 18 AND ct_raw_holds(j.raw, left(a.id, 15), s.seps))
ORDER BY j.file_id, j.line
LIMIT 1;
