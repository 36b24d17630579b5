-- name: report_channels
-- purpose: Calls by channel and subchannel with merged, standalone and merge rate, channel subtotals and a grand total.
-- binds: none
-- context: none

WITH g AS (
    SELECT
        channel,
        subchannel,
        grouping(channel) AS is_total,
        grouping(subchannel) AS is_channel,
        count(*) AS calls,
        count(*) FILTER (WHERE match_status = 'merged') AS merged,
        count(*) FILTER (WHERE match_status = 'standalone') AS standalone
    -- a blank channel is grouped as (none), with any value literally named so, as `report`
    -- groups it (_report.sql.j2): two rows both shown '(none)' would not add up
    FROM (SELECT coalesce(channel, '(none)') AS channel, subchannel, match_status FROM touchpoints)
    GROUP BY ROLLUP (channel, subchannel)
)
SELECT
    CASE WHEN is_total = 1 THEN 'total' WHEN is_channel = 1 THEN 'channel' ELSE 'subchannel' END
        AS level,
    channel,
    subchannel,
    calls,
    merged,
    standalone,
    CASE WHEN calls > 0 THEN merged / calls END AS merge_rate,
    CASE WHEN calls > 0 THEN calls / sum(CASE WHEN is_total = 1 THEN calls END) OVER () END AS share
FROM g
ORDER BY
    is_total,
    max(CASE WHEN is_channel = 1 THEN calls END) OVER (PARTITION BY channel, is_total) DESC,
    channel NULLS LAST,
    is_channel DESC,
    calls DESC,
    subchannel NULLS LAST;
