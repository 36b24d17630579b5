-- name: workspace_schema
-- purpose: Create the workspace's own tables: one row per load and per match (idempotent).
-- binds: none
-- context: none

CREATE TABLE IF NOT EXISTS loads (
    load_id        INTEGER,     -- 1, 2, ... in the order of `calltouch load`
    role           VARCHAR,     -- 'tasks' or 'sessions'
    path           VARCHAR,     -- as the user named it
    content_hash   VARCHAR,     -- sha256 of the file's bytes: the same content loads once
    file_id        INTEGER,     -- input_files.file_id
    rows_read      BIGINT,
    rows_loaded    BIGINT,
    rows_rejected  BIGINT,
    rows_footer    BIGINT,
    loaded_at      TIMESTAMP    -- UTC
);
-- the file's absolute path when loaded (symlinks resolved): path, as named, may be relative
-- to a folder the workspace does not know. A workspace loaded before it has none.
ALTER TABLE loads ADD COLUMN IF NOT EXISTS full_path VARCHAR;

CREATE TABLE IF NOT EXISTS match_runs (
    match_id       INTEGER,
    ran_at         TIMESTAMP,   -- UTC
    window_us      BIGINT,
    per_session    VARCHAR,
    last_load_id   INTEGER,     -- the loads this match saw
    summary        VARCHAR      -- JSON, as summary.json
);
