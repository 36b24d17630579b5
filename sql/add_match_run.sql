-- name: add_match_run
-- purpose: Record one match of the workspace, with its settings and summary.
-- binds: ran_at, window_us, per_session, summary
-- context: none

INSERT INTO match_runs
SELECT coalesce((SELECT max(match_id) FROM match_runs), 0) + 1, $ran_at, $window_us,
       $per_session, coalesce((SELECT max(load_id) FROM loads), 0), $summary;
