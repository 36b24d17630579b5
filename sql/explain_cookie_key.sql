-- name: explain_cookie_key
-- purpose: The integer key the last match gave one task's BizibleId, from the row of its candidate session; no row when it has no candidate.
-- binds: task_id
-- context: none
SELECT s._cookie_key
FROM links AS l
JOIN match_sessions AS s ON s._row = l._session_row AND s.session_id = l.session_id
WHERE l.task_id = $task_id  -- as stored (queries.stored_id)
LIMIT 1;
