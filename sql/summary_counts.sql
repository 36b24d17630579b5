-- name: summary_counts
-- purpose: The counts of summary.json and the reconciliation: read = touchpoints + unmatched + duplicates + rejects.
-- binds: deleted_errors
-- context: none

WITH files AS (
    SELECT role, sum(rows_read) AS rows_read, sum(rows_loaded) AS rows_loaded,
           sum(rows_rejected) AS rows_rejected
    FROM input_files GROUP BY role
),
tp AS (
    SELECT count(*) AS touchpoints,
           count(*) FILTER (WHERE match_status = 'merged') AS merged,
           count(*) FILTER (WHERE match_status = 'standalone') AS standalone
    FROM touchpoints
)
SELECT
    coalesce((SELECT rows_read FROM files WHERE role = 'tasks'), 0) AS tasks_read,
    tp.touchpoints,
    tp.merged,
    tp.standalone,
    (SELECT count(*) FROM unmatched) AS unmatched,
    (SELECT count(*) FROM task_rows WHERE _error_field IS NULL) - (SELECT count(*) FROM tasks)
        AS task_duplicates,
    (SELECT count(*) FROM rejects WHERE role = 'tasks') AS tasks_rejected,
    -- of them, deleted records ($deleted_errors: calltouch.load.DELETED_ERRORS)
    (SELECT count(*) FROM rejects WHERE role = 'tasks' AND list_contains($deleted_errors, error))
        AS tasks_deleted,
    coalesce((SELECT rows_rejected FROM files WHERE role = 'tasks'), 0) AS tasks_rejected_by_files,
    coalesce((SELECT rows_read FROM files WHERE role = 'sessions'), 0) AS sessions_read,
    -- usable session rows as each file's load counted them (a one-shot run on Parquet stores
    -- only the rows that can match, and counts the others), less the extra copies
    coalesce((SELECT rows_loaded FROM files WHERE role = 'sessions'), 0)
        - (SELECT coalesce(sum(duplicates), 0) FROM session_copies) AS sessions_kept,
    (SELECT coalesce(sum(duplicates), 0) FROM session_copies) AS session_duplicates,
    (SELECT count(*) FROM rejects WHERE role = 'sessions') AS sessions_rejected,
    (SELECT count(*) FROM rejects
     WHERE role = 'sessions' AND list_contains($deleted_errors, error)) AS sessions_deleted,
    coalesce((SELECT rows_rejected FROM files WHERE role = 'sessions'), 0)
        AS sessions_rejected_by_files
FROM tp;
