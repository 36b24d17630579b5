-- name: last_match
-- purpose: The latest match of the workspace and how many task or session loads came after it.
-- binds: none
-- context: none

SELECT m.match_id, ct_iso(m.ran_at) AS ran_at, m.window_us, m.per_session, m.last_load_id,
       m.summary,
       -- revenue inputs (opportunities, contact roles, people) do not change touchpoints
       (SELECT count(*) FROM loads AS l
        WHERE l.load_id > m.last_load_id AND l.role IN ('tasks', 'sessions')) AS newer_loads
FROM match_runs AS m
ORDER BY m.match_id DESC
LIMIT 1;
