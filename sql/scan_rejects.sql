-- name: scan_rejects
-- purpose: How many lines DuckDB's CSV reader rejected in one scan (a line may carry several errors), and the text of each, in file order.
-- binds: none
-- context: rejects_table

-- texts: each rejected record's text as the reader saw it (csv_line: a record of several
-- lines whole), compared by the loader with the records the independent reader refused.
SELECT count(*) AS lines, coalesce(list(csv_line ORDER BY line_byte_position), []) AS texts
FROM (
    SELECT line_byte_position, any_value(csv_line) AS csv_line
    FROM {{ rejects_table|ident }}
    GROUP BY line_byte_position
) AS r;
