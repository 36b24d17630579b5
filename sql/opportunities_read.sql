-- name: opportunities_read
-- purpose: Whether any opportunity row was read (kept or not), as revenue_inputs counts them: the check made before attribution builds anything, which on a large workspace takes long.
-- binds: none
-- context: none

SELECT coalesce(sum(rows_read), 0) > 0 AS read FROM input_files WHERE role = 'opportunities';
