-- name: compare_attributed
-- purpose: For `calltouch compare`: per model, how many opportunities are attributed with call touchpoints and with calls invisible.
-- binds: none
-- context: none

SELECT m.model,
       (SELECT count(*) FROM att_opportunities)
           - count(u.opportunity_id) FILTER (WHERE u.scenario = 'calls') AS attributed_with_calls,
       (SELECT count(*) FROM att_opportunities)
           - count(u.opportunity_id) FILTER (WHERE u.scenario = 'no_calls')
           AS attributed_without_calls
FROM att_models AS m
LEFT JOIN att_unattributed AS u USING (model)
GROUP BY m.model_order, m.model
ORDER BY m.model_order;
