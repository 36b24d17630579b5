-- name: attribution_journeys
-- purpose: Attribution step 2: each person's touchpoints (with calls, and with calls invisible), each opportunity's journey and its positions FT, LC, PostLC, OC, CW, middle.
-- binds: as_of
-- context: none

-- $as_of: the DATE open opportunities are judged on (--as-of).
-- Two scenarios side by side, for `compare`: 'calls' (call touchpoints counted) and
-- 'no_calls' (calls invisible, as before the call-tracking integration: no call touchpoints,
-- so every form fill is a Web Form and the first session a Web Visit again).

CREATE OR REPLACE TEMP TABLE att_touchpoints AS
WITH person_sessions AS (
    SELECT DISTINCT c.person_id, s.session_id, s.session_start, coalesce(s.has_form, false)
               AS has_form, s.channel, s.subchannel, s.campaign
    FROM (SELECT DISTINCT person_id, cookie FROM att_cookies) AS c
    JOIN att_sessions AS s ON s.cookie_id = c.cookie
),
firsts AS (
    -- each person's earliest session (ties: smallest session id): the anonymous first touch
    SELECT * FROM person_sessions
    QUALIFY row_number() OVER (PARTITION BY person_id ORDER BY session_start, session_id) = 1
),
calls AS (
    -- the person's call touchpoints, merged and standalone (a converted lead's are its contact's)
    SELECT coalesce(m.person_id, t.who_id) AS person_id, t.touchpoint_id, 'call' AS kind,
           t.touchpoint_type, t.touchpoint_date, t.channel, t.subchannel, t.campaign, t.task_id,
           t.session_id, t.match_status
    FROM touchpoints AS t
    LEFT JOIN att_person_map AS m ON m.id = t.who_id
    WHERE t.who_id IS NOT NULL
),
forms AS (
    SELECT person_id, 'WF_' || session_id AS touchpoint_id, 'form' AS kind,
           'Web Form' AS touchpoint_type, session_start AS touchpoint_date, channel, subchannel,
           campaign, CAST(NULL AS VARCHAR) AS task_id, session_id,
           CAST(NULL AS VARCHAR) AS match_status
    FROM person_sessions
    WHERE has_form
),
visits AS (
    SELECT person_id, 'WV_' || session_id AS touchpoint_id, 'visit' AS kind,
           'Web Visit' AS touchpoint_type, session_start AS touchpoint_date, channel, subchannel,
           campaign, CAST(NULL AS VARCHAR) AS task_id, session_id,
           CAST(NULL AS VARCHAR) AS match_status
    FROM firsts
    WHERE NOT has_form
)
SELECT 'calls' AS scenario, * FROM calls
UNION ALL
SELECT 'calls', * FROM forms
UNION ALL
SELECT 'calls', * FROM visits
UNION ALL
SELECT 'no_calls', * FROM forms
UNION ALL
SELECT 'no_calls', * FROM visits;

-- An opportunity's journey: its contacts' touchpoints dated (as UTC calendar days) on or
-- before its close date when closed, or on or before $as_of when open; a touchpoint two
-- contacts share (one session of a shared cookie) is in it once, under the smaller person id.
-- In time order, ties by touchpoint id. Positions (one touchpoint may hold several):
--   FT      the earliest touchpoint;
--   LC      the earliest form or call;  PostLC: the forms and calls after it;
--   OC      the latest touchpoint at or before the opportunity's creation (a date-time);
--   CW      the latest touchpoint on or before the close date, of a won opportunity only;
--   middle  a form or call holding none of FT, LC, OC, CW (each model re-decides its middle).
CREATE OR REPLACE TEMP TABLE att_journeys AS
WITH opportunities AS (
    SELECT *,
           CASE WHEN status = 'open' THEN CAST($as_of AS DATE) ELSE close_date END AS cutoff
    FROM att_opportunities
),
touches AS (
    -- the touchpoints of the opportunity's contacts, those after its cutoff too (in_time)
    SELECT t.scenario, o.opportunity_id, t.touchpoint_id, t.kind, t.touchpoint_type,
           t.touchpoint_date, t.channel, t.subchannel, t.campaign, t.task_id, t.session_id,
           t.match_status, min(t.person_id) AS person_id,
           CAST(t.touchpoint_date AS DATE) <= o.cutoff AS in_time
    FROM opportunities AS o
    JOIN att_contacts AS c USING (opportunity_id)
    JOIN att_touchpoints AS t ON t.person_id = c.person_id
    GROUP BY ALL
),
journey AS (
    -- one touchpoint per session: a form or first visit gives way to a merged call of the
    -- opportunity's contacts in its session, the call being the touchpoint, also when the
    -- call comes after the cutoff (a call with no WhoId is no one's, and a journey without
    -- the call keeps its form); then the journey is what the cutoff leaves
    SELECT * EXCLUDE (in_time) FROM touches AS t
    WHERE t.in_time AND (t.kind = 'call' OR NOT EXISTS (
        SELECT 1 FROM touches AS c
        WHERE c.scenario = t.scenario AND c.opportunity_id = t.opportunity_id
          AND c.kind = 'call' AND c.match_status = 'merged' AND c.session_id = t.session_id
    ))
),
ordered AS (
    SELECT t.*, o.status, o.amount, o.created_date, o.close_date,
           t.kind IN ('call', 'form') AS engaged,
           row_number() OVER (
               PARTITION BY t.scenario, t.opportunity_id ORDER BY t.touchpoint_date, t.touchpoint_id
           ) AS seq,
           count(*) OVER (PARTITION BY t.scenario, t.opportunity_id) AS journey_length
    FROM journey AS t
    JOIN opportunities AS o USING (opportunity_id)
),
marked AS (
    SELECT *,
           min(CASE WHEN engaged THEN seq END) OVER journey AS lc_seq,
           max(CASE WHEN touchpoint_date <= created_date THEN seq END) OVER journey AS oc_seq
    FROM ordered
    WINDOW journey AS (PARTITION BY scenario, opportunity_id)
),
positioned AS (
    SELECT * EXCLUDE (lc_seq, oc_seq),
           seq = 1 AS is_ft,
           coalesce(seq = lc_seq, false) AS is_lc,
           coalesce(engaged AND seq > lc_seq, false) AS is_post_lc,
           coalesce(seq = oc_seq, false) AS is_oc,
           status = 'won' AND seq = journey_length AS is_cw
    FROM marked
)
SELECT *,
       engaged AND NOT (is_ft OR is_lc OR is_oc OR is_cw) AS is_middle,
       bool_or(is_lc) OVER journey AS has_lc,
       bool_or(is_oc) OVER journey AS has_oc,
       bool_or(is_cw) OVER journey AS has_cw
FROM positioned
WINDOW journey AS (PARTITION BY scenario, opportunity_id);
