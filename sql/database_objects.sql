-- name: database_objects
-- purpose: The tables and views of the opened database file in any schema, as schema.name (to tell another tool's database from a workspace).
-- binds: none
-- context: none

SELECT schema_name || '.' || table_name AS name
FROM duckdb_tables()
WHERE database_name = current_database() AND NOT temporary
UNION ALL
SELECT schema_name || '.' || view_name
FROM duckdb_views()
WHERE database_name = current_database() AND NOT temporary AND NOT internal
ORDER BY name;
