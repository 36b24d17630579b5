-- name: match_output_counts
-- purpose: The merged and standalone touchpoints and the unmatched tasks the workspace holds, to compare with what the last match recorded writing (a DuckDB client that deleted rows or ran a rendered match with other settings leaves them otherwise).
-- binds: none
-- context: none

SELECT count(*) FILTER (WHERE match_status = 'merged') AS merged,
       count(*) FILTER (WHERE match_status = 'standalone') AS standalone,
       (SELECT count(*) FROM unmatched) AS unmatched
FROM touchpoints;
