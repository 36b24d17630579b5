-- name: batch_rejects
-- purpose: Rows read and rejected by the files of one load command (file ids from a bound list).
-- binds: file_ids
-- context: none

SELECT coalesce(sum(rows_read), 0) AS read, coalesce(sum(rows_rejected), 0) AS rejected
FROM input_files
WHERE file_id IN (SELECT unnest($file_ids));
