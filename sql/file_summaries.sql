-- name: file_summaries
-- purpose: What loading each task and session file did (JSON per file), tasks then sessions, in reading order.
-- binds: none
-- context: none

-- summary.json covers the inputs of a match; the revenue inputs have their own counts.
SELECT role, summary FROM input_files
WHERE role IN ('tasks', 'sessions')
ORDER BY role = 'sessions', file_id;
