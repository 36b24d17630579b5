-- name: column_exists
-- purpose: Whether a table of the main schema has a column of the given name.
-- binds: table_name, column_name
-- context: none

SELECT count(*) > 0 AS found
FROM information_schema.columns
WHERE table_schema = 'main' AND table_name = $table_name AND column_name = $column_name;
