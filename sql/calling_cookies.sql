-- name: calling_cookies
-- purpose: The BizibleIds of the loaded tasks, for a one-shot run to keep session details of those cookies only.
-- binds: none
-- context: none

CREATE OR REPLACE TEMP TABLE ct_calling_cookies AS
SELECT DISTINCT bizible_id FROM task_rows WHERE bizible_id IS NOT NULL;
