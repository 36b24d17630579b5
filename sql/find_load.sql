-- name: find_load
-- purpose: The earlier load of a file with the same content (and role), if any, with the zone its naive times were read in and what loading it did (its summary: encoding, profile, mapping, time styles).
-- binds: role, content_hash
-- context: none

SELECT l.load_id, l.path, l.loaded_at, f.time_zone, f.summary
FROM loads AS l
LEFT JOIN input_files AS f ON f.file_id = l.file_id
WHERE l.role = $role AND l.content_hash = $content_hash
ORDER BY l.load_id
LIMIT 1;
