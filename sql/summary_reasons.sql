-- name: summary_reasons
-- purpose: Why calls did not merge: standalone touchpoints by match_reason, then unmatched tasks by reason.
-- binds: none
-- context: none

SELECT status, reason, count(*) AS calls
FROM (
    SELECT 'standalone' AS status, match_reason AS reason FROM touchpoints
    WHERE match_status = 'standalone'
    UNION ALL
    SELECT 'unmatched', reason FROM unmatched
)
GROUP BY status, reason
ORDER BY calls DESC, status, reason;
