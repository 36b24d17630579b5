-- name: workspace_loads
-- purpose: Every load of the workspace with its counts (of the rejected rows, the deleted records) and the time span of its rows, and its input's span over all loads.
-- binds: deleted_errors
-- context: none

WITH spans AS (
    SELECT _file_id AS file_id, min(call_time) AS first, max(call_time) AS last
    FROM task_rows WHERE _error_field IS NULL GROUP BY _file_id
    UNION ALL
    SELECT _file_id, min(session_start), max(session_start)
    FROM session_rows WHERE _error_field IS NULL GROUP BY _file_id
),
-- $deleted_errors: the rejects.csv texts of a deleted record (calltouch.load.DELETED_ERRORS),
-- rejected rows the export holds by no fault of its own
deleted AS (
    SELECT file_id, count(*) AS rows_deleted
    FROM rejects WHERE list_contains($deleted_errors, error) GROUP BY file_id
)
SELECT l.load_id, l.role, l.path, l.rows_read, l.rows_loaded, l.rows_rejected,
       coalesce(d.rows_deleted, 0) AS rows_deleted, l.rows_footer,
       ct_iso(l.loaded_at) AS loaded_at, ct_iso(s.first) AS first, ct_iso(s.last) AS last,
       -- the input's span over all its loads, compared as times (ISO text drops a fraction's
       -- trailing zeros: '12:00:00.5Z' sorts before '12:00:00Z')
       ct_iso(min(s.first) OVER (PARTITION BY l.role)) AS role_first,
       ct_iso(max(s.last) OVER (PARTITION BY l.role)) AS role_last
FROM loads AS l
LEFT JOIN spans AS s USING (file_id)
LEFT JOIN deleted AS d USING (file_id)
ORDER BY l.load_id;
