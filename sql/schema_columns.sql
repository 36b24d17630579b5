-- name: schema_columns
-- purpose: The tables and columns of the main schema, to tell whether a workspace has the current layout.
-- binds: none
-- context: none

SELECT table_name, column_name
FROM information_schema.columns
WHERE table_schema = 'main'
ORDER BY table_name, column_name;
