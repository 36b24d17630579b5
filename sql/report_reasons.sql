-- name: report_reasons
-- purpose: Why calls in scope did not merge: standalone touchpoints by reason, then unmatched tasks by reason.
-- binds: since, until, status
-- context: none

-- $status chooses the calls as in the rest of the report: 'merged' has no reasons to give,
-- 'standalone' only the standalone touchpoints' (an unmatched task has no touchpoint).
SELECT status, reason, count(*) AS calls
FROM (
    SELECT 'standalone' AS status, match_reason AS reason, touchpoint_date AS called_at
    FROM touchpoints
    WHERE match_status = 'standalone' AND $status IN ('all', 'standalone')
    UNION ALL
    SELECT 'unmatched', u.reason, t.call_time
    FROM unmatched AS u JOIN tasks AS t USING (task_id)
    WHERE $status = 'all'
)
WHERE ($since IS NULL OR CAST(called_at AS DATE) >= CAST($since AS DATE))
  AND ($until IS NULL OR CAST(called_at AS DATE) <= CAST($until AS DATE))
GROUP BY status, reason
ORDER BY calls DESC, status, reason;
