-- name: check_time_zone
-- purpose: Look a zone name up among the IANA zones DuckDB knows (exact, then case-insensitive).
-- binds: tz
-- context: none

SELECT name
FROM pg_timezone_names()
WHERE name = $tz OR lower(name) = lower($tz)
ORDER BY name = $tz DESC, name
LIMIT 1;
