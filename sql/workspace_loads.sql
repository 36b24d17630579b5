-- name: workspace_loads
-- purpose: Every load of the workspace with its counts and the time span of its rows.
-- binds: none
-- context: none

WITH spans AS (
    SELECT _file_id AS file_id, min(call_time) AS first, max(call_time) AS last
    FROM task_rows WHERE _error_field IS NULL GROUP BY _file_id
    UNION ALL
    SELECT _file_id, min(session_start), max(session_start)
    FROM session_rows WHERE _error_field IS NULL GROUP BY _file_id
)
SELECT l.load_id, l.role, l.path, l.rows_read, l.rows_loaded, l.rows_rejected, l.rows_footer,
       ct_iso(l.loaded_at) AS loaded_at, ct_iso(s.first) AS first, ct_iso(s.last) AS last
FROM loads AS l
LEFT JOIN spans AS s USING (file_id)
ORDER BY l.load_id;
