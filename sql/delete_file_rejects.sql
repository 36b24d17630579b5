-- name: delete_file_rejects
-- purpose: Remove the rejects one file recorded (before the file is read again in file order).
-- binds: file_id
-- context: none

DELETE FROM rejects WHERE file_id = $file_id;
