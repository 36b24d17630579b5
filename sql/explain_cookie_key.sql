-- name: explain_cookie_key
-- purpose: The integer key the last match gave one task's BizibleId, from the row of its candidate session; no row when it has no candidate.
-- binds: task_id
-- context: none
SELECT s._cookie_key
FROM links AS l
JOIN match_sessions AS s ON s._row = l._session_row AND s.session_id = l.session_id
-- the id as explain_task reads it: as written when a row has it, else its 18-character form
WHERE l.task_id = CASE WHEN EXISTS (SELECT 1 FROM task_rows WHERE task_id = ct_clean($task_id))
                       THEN ct_clean($task_id) ELSE ct_sf18(ct_clean($task_id)) END
LIMIT 1;
