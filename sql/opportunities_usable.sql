-- name: opportunities_usable
-- purpose: Whether any opportunity row was read and kept (not rejected, not a deleted record): the check made before attribution builds anything, which on a large workspace takes long.
-- binds: none
-- context: none

SELECT EXISTS (SELECT 1 FROM opportunity_rows WHERE _error_field IS NULL) AS usable;
