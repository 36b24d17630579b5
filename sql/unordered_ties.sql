-- name: unordered_ties
-- purpose: The session files whose stored rows may be out of file order and hold an id whose last copies tie and differ, where R9 needs the file's row order.
-- binds: file_ids
-- context: none

-- $file_ids: the files loaded out of file order without row numbers (one-shot CSV). R9 keeps
-- the copy with the latest modification time, then the last file, then the last row read:
-- only when the copies that tie on the first two differ (cookie, start, details, or one is
-- a deleted record) does the row order decide anything. The ids read more than once:
-- ct_session_copies (usually none, and then the join reads no row).
WITH copies AS (
    SELECT session_id, _file_id, cookie_id, session_start, _details, _error_field
    FROM session_rows
    WHERE (_error_field IS NULL OR _error_code = 'deleted')  -- those R9 chooses among
      AND session_id IN (SELECT session_id FROM ct_session_copies)
    QUALIFY rank() OVER (
        PARTITION BY session_id ORDER BY modstamp DESC NULLS LAST, _file_id DESC) = 1
)
SELECT DISTINCT _file_id
FROM (
    SELECT session_id, _file_id
    FROM copies
    WHERE list_contains($file_ids, _file_id)
    GROUP BY session_id, _file_id
    HAVING count(DISTINCT hash(cookie_id, session_start, _details, _error_field)) > 1
)
ORDER BY _file_id;
