-- name: file_summaries
-- purpose: What loading each file did (JSON per file), tasks then sessions, in reading order.
-- binds: none
-- context: none

SELECT role, summary FROM input_files ORDER BY role = 'sessions', file_id;
