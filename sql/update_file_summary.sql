-- name: update_file_summary
-- purpose: Replace an input file's recorded summary (summary.json's entry for it), when notes about it were found after it was recorded (a column the files before it had, copies read out of order).
-- binds: file_id, summary
-- context: none

UPDATE input_files SET summary = $summary WHERE file_id = $file_id;
