-- name: revenue_open_by_stage
-- purpose: The opportunities read as open with no IsClosed to say so, by stage: read by its words alone (or by IsWon false alone), a custom stage that means closed ('Disqualified') is open, its amount pipeline.
-- binds: none
-- context: none

-- Run after attribution_people (att_opportunities). An opportunity with neither a stage nor
-- IsWon is left out: the load noted a file without any status column.
SELECT stage, count(*) AS opportunities
FROM att_opportunities
WHERE status = 'open' AND is_closed IS NULL AND (stage IS NOT NULL OR is_won IS NOT NULL)
GROUP BY stage
ORDER BY opportunities DESC, stage NULLS LAST;
