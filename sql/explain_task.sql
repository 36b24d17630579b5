-- name: explain_task
-- purpose: Everything calltouch decided about one task: its row, link, touchpoint, the sessions of its BizibleId nearest before and after the call, and its copies.
-- binds: task_id
-- context: none

-- A session's cookie id and details are read from its row in session_rows (the _row of
-- match_sessions); the id check keeps a workspace whose rows changed since its match (stale)
-- from showing another row's.
WITH wanted AS (
    SELECT ct_sf18(ct_clean($task_id)) AS id
),
task AS (
    SELECT t.*, f.path AS file, f.mapping
    FROM tasks AS t JOIN input_files AS f ON f.file_id = t._file_id
    WHERE t.task_id = (SELECT id FROM wanted)
),
copies AS (
    SELECT count(*) FILTER (WHERE _error_field IS NULL) AS usable,
           count(*) FILTER (WHERE _error_field IS NOT NULL) AS rejected,
           min(_error_field) AS error_field, min(_error_code) AS error_code,
           min(_error_value) AS error_value
    FROM task_rows
    WHERE task_id = (SELECT id FROM wanted)
),
-- Where the first rejected copy is: the reject of its file whose raw line holds its id (as
-- read: 18 or 15 characters) as a whole cell, between delimiters, quotes or the ends of the
-- line (task 12 is not in the line of task 123); none when no raw line holds it so.
rejected AS (
    SELECT j.file, j.line, j.error
    FROM task_rows AS r
    JOIN rejects AS j ON j.role = 'tasks' AND j.file_id = r._file_id
    CROSS JOIN LATERAL (
        SELECT chr(31) || regexp_replace(j.raw, '[,;\t|"''{}\[\]: =]', chr(31), 'g') || chr(31)
            AS cells
    ) AS c
    WHERE r.task_id = (SELECT id FROM wanted) AND r._error_field IS NOT NULL
      AND (contains(c.cells, chr(31) || r.task_id || chr(31))
           OR contains(c.cells, chr(31) || left(r.task_id, 15) || chr(31)))
    ORDER BY j.file_id, j.line
    LIMIT 1
),
-- The task's link, and the calls that share its candidate session (R6), found by the
-- candidate's id: a subquery correlated on it made DuckDB rank every merged touchpoint.
link AS (
    SELECT * FROM links WHERE task_id = (SELECT id FROM wanted)
),
earlier_call AS (
    SELECT l2.task_id
    FROM links AS l2 JOIN tasks AS t2 ON t2.task_id = l2.task_id, task AS t
    WHERE l2.session_id = (SELECT session_id FROM link) AND l2.task_id <> t.task_id
      AND (t2.call_time < t.call_time OR (t2.call_time = t.call_time AND t2.task_id < t.task_id))
    ORDER BY t2.call_time, t2.task_id
    LIMIT 1
),
merged_call AS (
    SELECT task_id FROM touchpoints
    WHERE session_id = (SELECT session_id FROM link) AND match_status = 'merged'
    ORDER BY touchpoint_date, task_id
    LIMIT 1
),
cookie_sessions AS (
    SELECT s.session_id, s.session_start, r.channel, r.subchannel
    FROM match_sessions AS s
    JOIN session_rows AS r ON r.rowid = s._row AND r.session_id = s.session_id
    WHERE r.cookie_id = (SELECT bizible_id FROM task)
),
earlier AS (
    SELECT s.session_id, s.session_start, s.channel, s.subchannel
    FROM cookie_sessions AS s
    JOIN task AS t ON s.session_start <= t.call_time
    ORDER BY s.session_start DESC, s.session_id
    LIMIT 1
),
later AS (
    SELECT s.session_id, s.session_start, s.channel, s.subchannel
    FROM cookie_sessions AS s
    JOIN task AS t ON s.session_start > t.call_time
    ORDER BY s.session_start, s.session_id
    LIMIT 1
)
SELECT
    (SELECT id FROM wanted) AS task_id,
    (SELECT count(*) FROM task) AS found,
    c.usable AS copies, c.rejected AS rejected_copies,
    c.error_field, c.error_code, c.error_value,
    rj.file AS rejected_file, rj.line AS rejected_line, rj.error AS rejected_error,
    t.bizible_id, ct_iso(t.call_time) AS call_time, t.call_time_source, t.task_type,
    t.who_id, t.subject, t.file, t.mapping,
    l.match_status, l.match_reason, l.session_id AS candidate_session_id,
    tp.session_id, ct_iso(tp.session_start) AS session_start,
    tp.minutes_after_session_start, tp.touchpoint_id, tp.touchpoint_type, tp.medium,
    tp.touchpoint_source, tp.channel, tp.subchannel, tp.campaign,
    (SELECT count(*) FROM unmatched WHERE task_id = (SELECT id FROM wanted)) AS unmatched,
    e.session_id AS earlier_session_id, ct_iso(e.session_start) AS earlier_session_start,
    CASE WHEN e.session_id IS NOT NULL
         THEN round((epoch_us(t.call_time) - epoch_us(e.session_start)) / 60000000.0, 5) END
        AS earlier_minutes,
    e.channel AS earlier_channel,
    x.session_id AS later_session_id, ct_iso(x.session_start) AS later_session_start,
    CASE WHEN x.session_id IS NOT NULL
         THEN round((epoch_us(x.session_start) - epoch_us(t.call_time)) / 60000000.0, 5) END
        AS later_minutes,
    -- the call's gap from its candidate's start, exact (the window advice rounds it up)
    l.gap_us,
    -- an earlier call with the same candidate (R6: with one touchpoint per session, that
    -- call takes the session first, whatever the window)
    (SELECT task_id FROM earlier_call) AS earlier_call_task_id,
    -- the call that took the candidate (R6); with --per-session all several may share it
    (SELECT task_id FROM merged_call) AS merged_task_id,
    (SELECT count(*) FROM cookie_sessions) AS sessions_of_id
FROM copies AS c
LEFT JOIN task AS t ON true
LEFT JOIN link AS l ON l.task_id = t.task_id
LEFT JOIN touchpoints AS tp ON tp.task_id = t.task_id
LEFT JOIN earlier AS e ON true
LEFT JOIN later AS x ON true
LEFT JOIN rejected AS rj ON true;
