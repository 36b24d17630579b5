-- name: add_load
-- purpose: Record one load of a file into the workspace.
-- binds: load_id, role, path, content_hash, file_id, rows_read, rows_loaded, rows_rejected, rows_footer, loaded_at, full_path
-- context: none

INSERT INTO loads (load_id, role, path, content_hash, file_id, rows_read, rows_loaded,
                   rows_rejected, rows_footer, loaded_at, full_path)
VALUES ($load_id, $role, $path, $content_hash, $file_id, $rows_read, $rows_loaded,
        $rows_rejected, $rows_footer, $loaded_at, $full_path);
