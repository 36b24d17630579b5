-- name: touchpoints
-- purpose: Build the touchpoints (R4, R5), the unmatched tasks (R1) and the calls_by_channel view from the links.
-- binds: none
-- context: none

-- The merged sessions with their details (read with them, or fetched afterwards into
-- session_details), on their own first: one blocking step at a time.
CREATE OR REPLACE TEMP TABLE ct_merged_sessions AS
    SELECT s.rowid AS _session_row,
           coalesce(d.channel, s.channel) AS channel,
           coalesce(d.subchannel, s.subchannel) AS subchannel,
           coalesce(d.medium, s.medium) AS medium,
           coalesce(d.source, s.source) AS source,
           coalesce(d.campaign, s.campaign) AS campaign,
           coalesce(d.ad_name, s.ad_name) AS ad_name,
           coalesce(d.landing_page, s.landing_page) AS landing_page,
           coalesce(d.referrer_page, s.referrer_page) AS referrer_page,
           coalesce(d.search_phrase, s.search_phrase) AS search_phrase
    FROM session_rows AS s
    LEFT JOIN session_details AS d ON d._file_id = s._file_id AND d._ord = s._ord
    WHERE s.rowid IN (SELECT _session_row FROM links WHERE match_status = 'merged');

CREATE OR REPLACE TABLE touchpoints AS
SELECT
    'TP_' || t.task_id AS touchpoint_id,
    t.task_id,
    t.bizible_id,
    t.who_id,
    t.call_time AS touchpoint_date,
    -- R4 / R5: the type is the task's Type; blank gives Web Visit (merged) or CRM Activity.
    coalesce(t.task_type, CASE WHEN merged THEN 'Web Visit' ELSE 'CRM Activity' END)
        AS touchpoint_type,
    CASE WHEN merged THEN coalesce(t.task_type, s.medium) ELSE t.task_type END AS medium,
    CASE WHEN merged THEN s.source ELSE 'CRM Activity' END AS touchpoint_source,
    CASE WHEN merged THEN s.channel ELSE 'Other' END AS channel,
    CASE WHEN merged THEN s.subchannel END AS subchannel,
    CASE WHEN merged THEN s.campaign END AS campaign,
    CASE WHEN merged THEN s.ad_name END AS ad_name,
    CASE WHEN merged THEN s.landing_page END AS landing_page,
    CASE WHEN merged THEN s.referrer_page END AS referrer_page,
    CASE WHEN merged THEN s.search_phrase END AS search_phrase,
    CASE WHEN merged THEN l.session_id END AS session_id,
    CASE WHEN merged THEN l.session_start END AS session_start,
    CASE WHEN merged THEN round(l.gap_us / 60000000.0, 5) END AS minutes_after_session_start,
    l.match_status,
    l.match_reason,
    t.subject,
    -- minutes from the latest earlier session start, also for outside_window and already used.
    round(l.gap_us / 60000000.0, 5) AS nearest_session_minutes
FROM (SELECT *, match_status = 'merged' AS merged FROM links) AS l
JOIN tasks AS t ON t.rowid = l._task_row
LEFT JOIN ct_merged_sessions AS s ON s._session_row = l._session_row AND l.merged;

CREATE OR REPLACE TABLE unmatched AS
SELECT task_id, 'no_bizible_id' AS reason, _file_id, _raw
FROM tasks
WHERE bizible_id IS NULL;

-- A view for analysts: calls, merged and standalone per channel and subchannel.
CREATE OR REPLACE VIEW calls_by_channel AS
SELECT channel, subchannel, count(*) AS calls,
       count(*) FILTER (WHERE match_status = 'merged') AS merged,
       count(*) FILTER (WHERE match_status = 'standalone') AS standalone,
       round(count(*) FILTER (WHERE match_status = 'merged') / count(*), 4) AS merge_rate
FROM touchpoints
GROUP BY channel, subchannel
ORDER BY calls DESC, channel, subchannel;

SET preserve_insertion_order = true;
