-- name: journey_person
-- purpose: One person's path for `calltouch journey`: every touchpoint in time order with type, channel and the person-level positions FT, LC and PostLC.
-- binds: person_id
-- context: none

WITH theirs AS (
    SELECT * FROM att_touchpoints WHERE scenario = 'calls' AND person_id = $person_id
),
mine AS (
    SELECT *,
           kind IN ('call', 'form') AS engaged,
           row_number() OVER (ORDER BY touchpoint_date, touchpoint_id) AS seq
    FROM theirs AS t
    -- one touchpoint per session, as in a journey: a form or first visit gives way to the
    -- person's merged call in its session
    WHERE t.kind = 'call' OR NOT EXISTS (
        SELECT 1 FROM theirs AS c
        WHERE c.kind = 'call' AND c.match_status = 'merged' AND c.session_id = t.session_id
    )
),
marked AS (
    SELECT *, min(CASE WHEN engaged THEN seq END) OVER () AS lc_seq FROM mine
)
SELECT
    seq,
    touchpoint_id,
    ct_iso(touchpoint_date) AS touchpoint_date,
    touchpoint_type,
    kind,
    channel,
    subchannel,
    campaign,
    session_id,
    match_status,
    list_filter([CASE WHEN seq = 1 THEN 'FT' END, CASE WHEN seq = lc_seq THEN 'LC' END,
                 CASE WHEN engaged AND seq > lc_seq THEN 'PostLC' END],
                lambda p: p IS NOT NULL) AS positions
FROM marked
ORDER BY seq;
