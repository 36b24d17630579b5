-- name: journey_opportunity
-- purpose: One opportunity for `calltouch journey`: status, amount, dates, cutoff, contacts and the models that leave it unattributed.
-- binds: opportunity_id, as_of
-- context: none

SELECT
    o.opportunity_id,
    o.status,
    o.stage,
    o.amount,
    ct_iso(o.created_date) AS created_date,
    strftime(o.close_date, '%Y-%m-%d') AS close_date,
    strftime(CASE WHEN o.status = 'open' THEN CAST($as_of AS DATE) ELSE o.close_date END,
             '%Y-%m-%d') AS journey_until,
    coalesce((SELECT list(DISTINCT c.person_id ORDER BY c.person_id) FROM att_contacts AS c
              WHERE c.opportunity_id = o.opportunity_id), []) AS contacts,
    coalesce((SELECT list(u.model ORDER BY u.model_order) FROM att_unattributed AS u
              WHERE u.scenario = 'calls' AND u.opportunity_id = o.opportunity_id), [])
        AS unattributed_models,
    (SELECT min(u.reason) FROM att_unattributed AS u
     WHERE u.scenario = 'calls' AND u.opportunity_id = o.opportunity_id) AS unattributed_reason
FROM att_opportunities AS o
WHERE o.opportunity_id = $opportunity_id;
