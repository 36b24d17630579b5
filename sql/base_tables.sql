-- name: base_tables
-- purpose: Which of the given names are tables (not views) in the main schema: what an older calltouch's match made a table and this one makes a view.
-- binds: names
-- context: none

SELECT table_name AS name
FROM information_schema.tables
WHERE table_schema = 'main' AND table_type = 'BASE TABLE'
  AND list_contains($names, table_name)
ORDER BY name;
