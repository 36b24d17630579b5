-- name: calling_spans
-- purpose: The (BizibleId, span) pairs a merging session can start in, for a one-shot CSV run to keep the details of only those sessions.
-- binds: window_us
-- context: none

-- A session merges with a call only when it starts at most one window before it (R3): in the
-- call's span or the one before (ct_span). Each pair is kept as its 64-bit hash, which
-- load_sessions compares with hash(cookie, span of the session's start). Every task row with
-- a BizibleId and a call time counts, copies and rejected rows too: a superset (and a hash
-- that collides) only keeps a few more details, never loses a merged session's.
-- (At 10M sessions / 1M calls, 0.8M of the 3.4M sessions of a calling cookie are kept.)
CREATE OR REPLACE TEMP TABLE ct_calling_spans AS
SELECT DISTINCT hash(bizible_id, span - shift) AS h
FROM (
    SELECT bizible_id, ct_span(epoch_us(call_time), $window_us) AS span
    FROM task_rows
    WHERE bizible_id IS NOT NULL AND call_time IS NOT NULL
), (VALUES (0), (1)) AS shifts(shift);
