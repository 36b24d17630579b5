-- name: last_match
-- purpose: The latest match of the workspace and whether loads came after it.
-- binds: none
-- context: none

SELECT m.match_id, ct_iso(m.ran_at) AS ran_at, m.window_us, m.per_session, m.last_load_id,
       m.summary,
       coalesce((SELECT max(load_id) FROM loads), 0) AS latest_load_id
FROM match_runs AS m
ORDER BY m.match_id DESC
LIMIT 1;
