-- name: repeated_session_keys
-- purpose: The session id keys seen more than once (ct_repeated_keys): a superset of the ids R9 must choose among.
-- binds: none
-- context: none

-- Equal ids have equal keys, so every copy of a repeated id is kept; ids sharing a key by
-- chance only keep a few more rows than needed (about 0.2% at 10M ids), never fewer.
CREATE OR REPLACE TEMP TABLE ct_repeated_keys AS
SELECT h FROM ct_session_keys WHERE h IS NOT NULL GROUP BY h HAVING count(*) > 1;

DROP TABLE ct_session_keys;
