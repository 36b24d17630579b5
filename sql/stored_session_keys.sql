-- name: stored_session_keys
-- purpose: Key the stored session rows' ids into ct_session_keys (a one-shot run on CSV), for repeated_session_keys.
-- binds: none
-- context: none

-- The same keys match.sql.j2 would compute from session_rows, computed once here: the load
-- needs the repeated ids to see whether R9 depends on the files' row order (unordered_ties).
-- The rows R9 chooses among: the usable ones and the deleted records (_copies.CHOSEN).
INSERT INTO ct_session_keys
SELECT ct_id_key(session_id) AS h
FROM session_rows
WHERE _error_field IS NULL OR _error_code = 'deleted';
