-- name: revenue_headline
-- purpose: The headline of a revenue report: opportunities by status, what one model attributes and leaves unattributed, and the calls' part.
-- binds: model
-- context: none

WITH credited AS (
    SELECT * FROM att_credit WHERE scenario = 'calls' AND model = $model AND share IS NOT NULL
)
SELECT
    count(*) AS opportunities,
    count(*) FILTER (WHERE status = 'won') AS won,
    count(*) FILTER (WHERE status = 'open') AS open,
    count(*) FILTER (WHERE status = 'lost') AS lost,
    (SELECT count(DISTINCT opportunity_id) FROM credited) AS attributed,
    (SELECT count(*) FROM att_unattributed WHERE scenario = 'calls' AND model = $model)
        AS unattributed,
    round(coalesce(sum(amount) FILTER (WHERE status = 'won'), 0), 2) AS won_amount,
    round(coalesce(sum(amount) FILTER (WHERE status = 'open'), 0), 2) AS open_amount,
    round(coalesce(sum(amount) FILTER (WHERE status = 'lost'), 0), 2) AS lost_amount,
    (SELECT round(coalesce(sum(won_revenue), 0), 2) FROM credited) AS won_revenue,
    (SELECT round(coalesce(sum(pipeline), 0), 2) FROM credited) AS pipeline,
    (SELECT round(coalesce(sum(won_revenue) FILTER (WHERE kind = 'call'), 0), 2) FROM credited)
        AS call_won_revenue,
    (SELECT round(coalesce(sum(pipeline) FILTER (WHERE kind = 'call'), 0), 2) FROM credited)
        AS call_pipeline,
    (SELECT count(*) FROM att_journeys WHERE scenario = 'calls' AND kind = 'call')
        AS call_touchpoints
FROM att_opportunities;
