-- name: set_time_zone
-- purpose: Set the zone in which timestamps without a zone are read (the loader restores UTC).
-- binds: tz
-- context: none

SET TimeZone = $tz;
