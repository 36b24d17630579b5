-- name: calling_cookies
-- purpose: The BizibleIds of the loaded tasks, for a one-shot run to keep session details (or rows) of those cookies only.
-- binds: none
-- context: none

-- Their 64-bit hashes: load_sessions compares each session's cookie by its hash (see there).
CREATE OR REPLACE TEMP TABLE ct_calling_cookies AS
SELECT DISTINCT hash(bizible_id) AS h FROM task_rows WHERE bizible_id IS NOT NULL;

-- Filled by session_keys when every session file is Parquet (see calltouch.load.load_role).
CREATE OR REPLACE TEMP TABLE ct_session_keys (h UINTEGER);
