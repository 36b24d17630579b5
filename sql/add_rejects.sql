-- name: add_rejects
-- purpose: Append rejected rows, given as parallel lists, to the rejects table.
-- binds: role, file_id, file, lines, columns, errors, raws
-- context: none

INSERT INTO rejects (role, file_id, file, line, "column", error, raw)
SELECT $role, $file_id, $file, unnest($lines), unnest($columns), unnest($errors), unnest($raws);
