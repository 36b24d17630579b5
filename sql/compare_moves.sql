-- name: compare_moves
-- purpose: For `calltouch compare`: what counting calls changes besides revenue: sessions that became call touchpoints, form fills moved from LC to PostLC, and journeys that gained calls.
-- binds: none
-- context: none

-- sessions_visit_to_call: sessions of known people that hold a merged call touchpoint and no
--   form fill: without calls they were a plain visit (at most the Web Visit first touch);
--   sessions_first_visit_to_call: those of them that were a person's Web Visit first touch;
--   sessions_form_to_call: form-fill sessions whose Web Form gave way to a merged call.
-- forms_lc_to_post_lc: opportunities whose LC without calls is a Web Form that, with calls,
--   is a PostLC touch (an earlier call became the LC).
WITH merged_calls AS (
    SELECT DISTINCT t.session_id, coalesce(s.has_form, false) AS has_form
    FROM att_touchpoints AS t
    JOIN att_sessions AS s USING (session_id)
    WHERE t.scenario = 'calls' AND t.kind = 'call' AND t.match_status = 'merged'
),
first_visits AS (
    SELECT DISTINCT session_id FROM att_touchpoints WHERE scenario = 'no_calls' AND kind = 'visit'
),
lc_without AS (
    SELECT opportunity_id, touchpoint_id FROM att_journeys
    WHERE scenario = 'no_calls' AND is_lc AND kind = 'form'
),
post_lc_with AS (
    SELECT opportunity_id, touchpoint_id FROM att_journeys
    WHERE scenario = 'calls' AND is_post_lc
)
SELECT
    (SELECT count(*) FROM merged_calls WHERE NOT has_form) AS sessions_visit_to_call,
    (SELECT count(*) FROM merged_calls WHERE NOT has_form
                                         AND session_id IN (SELECT session_id FROM first_visits))
        AS sessions_first_visit_to_call,
    (SELECT count(*) FROM merged_calls WHERE has_form) AS sessions_form_to_call,
    (SELECT count(*) FROM lc_without JOIN post_lc_with USING (opportunity_id, touchpoint_id))
        AS forms_lc_to_post_lc,
    (SELECT count(*) FROM att_journeys WHERE scenario = 'calls' AND kind = 'call')
        AS call_touchpoints_in_journeys,
    (SELECT count(DISTINCT opportunity_id) FROM att_journeys
     WHERE scenario = 'calls' AND kind = 'call') AS opportunities_with_calls,
    (SELECT count(DISTINCT opportunity_id) FROM att_journeys
     WHERE scenario = 'calls' AND is_lc AND kind = 'call') AS opportunities_lc_is_call;
