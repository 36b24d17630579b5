-- name: compare_channels
-- purpose: For `calltouch compare`: per model and channel, the won revenue and pipeline credited with call touchpoints and with calls invisible, and the difference.
-- binds: none
-- context: none

-- Exact DECIMAL sums per scenario, differences taken before rounding to cents.
WITH per_scenario AS (
    SELECT model_order, model, coalesce(channel, '(none)') AS channel, scenario,
           sum(won_revenue) AS won, sum(pipeline) AS pipe, count(*) AS touchpoints
    FROM att_credit
    WHERE share > 0
    GROUP BY ALL
),
paired AS (
    SELECT model_order, model, channel,
           coalesce(sum(won) FILTER (WHERE scenario = 'calls'), 0) AS won_with,
           coalesce(sum(won) FILTER (WHERE scenario = 'no_calls'), 0) AS won_without,
           coalesce(sum(pipe) FILTER (WHERE scenario = 'calls'), 0) AS pipe_with,
           coalesce(sum(pipe) FILTER (WHERE scenario = 'no_calls'), 0) AS pipe_without,
           coalesce(sum(touchpoints) FILTER (WHERE scenario = 'calls'), 0) AS touchpoints_with,
           coalesce(sum(touchpoints) FILTER (WHERE scenario = 'no_calls'), 0)
               AS touchpoints_without
    FROM per_scenario
    GROUP BY ALL
)
SELECT model, channel,
       round(won_with, 2) AS won_with_calls,
       round(won_without, 2) AS won_without_calls,
       round(won_with - won_without, 2) AS won_change,
       round(pipe_with, 2) AS pipeline_with_calls,
       round(pipe_without, 2) AS pipeline_without_calls,
       round(pipe_with - pipe_without, 2) AS pipeline_change,
       touchpoints_with AS touchpoints_with_calls,
       touchpoints_without AS touchpoints_without_calls
FROM paired
ORDER BY model_order, won_with + pipe_with DESC, won_without + pipe_without DESC, channel;
