-- name: white_space
-- purpose: The white space ct_tidy trims (ct_white), for Python to trim a cell the same way.
-- binds: none
-- context: none

SELECT ct_white() AS white;
