-- name: revenue_total
-- purpose: The sum of the opportunities' amounts (in absolute value) attribution credits: every revenue sum it writes is at most this.
-- binds: none
-- context: none

SELECT coalesce(sum(abs(amount)), 0) FROM att_opportunities;
