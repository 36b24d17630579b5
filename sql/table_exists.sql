-- name: table_exists
-- purpose: Whether a table or view of the given name exists in the main schema.
-- binds: name
-- context: none

SELECT count(*) > 0 AS found
FROM information_schema.tables
WHERE table_schema = 'main' AND table_name = $name;
