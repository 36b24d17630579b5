-- name: input_state
-- purpose: What a workspace's touchpoints depend on besides the match's settings and code: counts of its loads and stored rows, recorded with each match to tell whether anything changed since (a load, or rows removed in another program), and the usable rows its loads stored.
-- binds: none
-- context: none

-- Counts answer most edits made outside calltouch (rows deleted, a table dropped and made
-- again empty, a load's record removed); a cell changed in place they do not: match
-- --rebuild is for that. tasks_loaded / sessions_loaded: the usable rows the loads say they
-- stored, which a workspace's task_rows and session_rows hold (task_usable, session_usable).
-- rejects_recorded: the rejected rows the loads say they stored; a load adds as many to
-- rejects, so its difference to rejects changes only when rejects are edited elsewhere.
SELECT
    (SELECT count(*) FROM loads WHERE role IN ('tasks', 'sessions')) AS loads,
    (SELECT count(*) FROM input_files WHERE role IN ('tasks', 'sessions')) AS files,
    (SELECT count(*) FROM task_rows) AS task_rows,
    (SELECT count(*) FROM session_rows) AS session_rows,
    (SELECT count(*) FROM rejects WHERE role IN ('tasks', 'sessions')) AS rejects,
    (SELECT count(*) FROM task_rows WHERE _error_field IS NULL) AS task_usable,
    (SELECT count(*) FROM session_rows WHERE _error_field IS NULL) AS session_usable,
    (SELECT coalesce(sum(rows_loaded), 0) FROM input_files WHERE role = 'tasks') AS tasks_loaded,
    (SELECT coalesce(sum(rows_loaded), 0) FROM input_files WHERE role = 'sessions')
        AS sessions_loaded,
    (SELECT coalesce(sum(rows_rejected), 0) FROM input_files WHERE role IN ('tasks', 'sessions'))
        AS rejects_recorded;
