-- name: same_zone
-- purpose: Whether two zone names read naive times alike (UTC and Etc/UTC, aliases of one zone): the same wall clock at instants sampled over 1900-2100.
-- binds: a, b
-- context: none

-- Every day at 00:00, 06:00, 12:00 and 18:00 UTC, 1900-2100 (292,192 instants): two zones
-- that differ for a day anywhere in that span differ at one of them (America/Argentina/Cordoba
-- and Tucuman differ for 13 days of 2004).
SELECT coalesce(bool_and(timezone($a, t) = timezone($b, t)), true) AS same
FROM (
    SELECT TIMESTAMPTZ '1900-01-01 00:00:00+00' + INTERVAL (d) DAY + INTERVAL (h) HOUR AS t
    FROM range(0, 73048) AS days(d), (VALUES (0), (6), (12), (18)) AS hours(h)
);
