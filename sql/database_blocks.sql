-- name: database_blocks
-- purpose: The block size and the number of blocks of the opened database file, which a whole file holds after its headers (to tell a file cut short before a query reads past its end).
-- binds: none
-- context: none

SELECT block_size, total_blocks
FROM pragma_database_size()
WHERE database_name = current_database();
