-- name: database_blocks
-- purpose: The block size and the number of used blocks of the opened database file, which a whole file holds at least after its headers (to tell a file cut short before a query reads past its end; the free blocks at its end are truncated away, but still counted in total_blocks).
-- binds: none
-- context: none

SELECT block_size, used_blocks
FROM pragma_database_size()
WHERE database_name = current_database();
