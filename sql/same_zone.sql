-- name: same_zone
-- purpose: Whether two zone names read naive times alike (UTC and Etc/UTC, aliases of one zone): the same wall clock at instants sampled over 1900-2100.
-- binds: a, b
-- context: none

-- Every 14th day at 00:00 and 12:00 UTC, 1900-2100 (10,436 instants): two zones that differ
-- anywhere in that span differ at one of them unless their rules differ for less than two
-- weeks.
SELECT coalesce(bool_and(timezone($a, t) = timezone($b, t)), true) AS same
FROM (
    SELECT TIMESTAMPTZ '1900-01-01 00:00:00+00' + INTERVAL (d) DAY + INTERVAL (h) HOUR AS t
    FROM range(0, 73048, 14) AS days(d), (VALUES (0), (12)) AS hours(h)
);
