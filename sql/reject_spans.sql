-- name: reject_spans
-- purpose: The physical lines rejected rows span beyond their first, the longest such row, and the deleted records among the rejects: --max-rejects counts a rejected row by its lines, and no deleted record.
-- binds: role, file_ids, quote_errors, deleted_errors
-- context: none

-- A quote that is never closed (or not doubled) makes the reader take every line after it
-- into one value: one rejected row can hold the rest of the file. Its raw text keeps the
-- lines as read, so the lines it spans beyond its first are its line breaks (CRLF, LF or a
-- CR alone, as Excel for Mac's "CSV (Macintosh)" ends lines: each one break). Only rows
-- rejected for such a quote ($quote_errors) count: a well-formed row whose quoted Subject
-- spans lines, rejected for a bad time, is one row. $file_ids NULL: every file of the role.
-- $deleted_errors: the rejects.csv texts of a deleted record (calltouch.load.DELETED_ERRORS).
WITH spans AS (
    SELECT file_id, file, line, error,
           CASE WHEN list_contains($quote_errors, error)
                THEN length(breaks) - length(replace(breaks, chr(10), '')) ELSE 0 END AS extra
    FROM (
        SELECT *,
               -- every line break as one LF
               replace(replace(raw, chr(13) || chr(10), chr(10)), chr(13), chr(10)) AS breaks
        FROM rejects
        WHERE role = $role AND ($file_ids IS NULL OR list_contains($file_ids, file_id))
    ) AS r
)
SELECT
    (SELECT coalesce(sum(extra), 0) FROM spans) AS extra_lines,
    (SELECT count(*) FROM spans WHERE list_contains($deleted_errors, error)) AS deleted,
    file, line, extra + 1 AS lines, error
FROM (SELECT 1) AS one
LEFT JOIN (
    SELECT * FROM spans WHERE extra > 0
    ORDER BY extra DESC, file_id, line
    LIMIT 1
) AS longest ON true;
