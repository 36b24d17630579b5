-- name: match_output_counts
-- purpose: The merged and standalone touchpoints, the unmatched tasks, the tasks and the links the workspace holds, to compare with what the last match recorded writing (a DuckDB client that deleted rows or ran a rendered match with other settings leaves them otherwise).
-- binds: none
-- context: none

SELECT count(*) FILTER (WHERE match_status = 'merged') AS merged,
       count(*) FILTER (WHERE match_status = 'standalone') AS standalone,
       (SELECT count(*) FROM unmatched) AS unmatched,
       -- every task is a touchpoint or unmatched, and each with a BizibleId has a link (R1)
       (SELECT count(*) FROM tasks) AS tasks,
       (SELECT count(*) FROM links) AS links
FROM touchpoints;
