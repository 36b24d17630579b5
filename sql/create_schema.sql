-- name: create_schema
-- purpose: Create the tables every run and workspace holds (idempotent).
-- binds: none
-- context: none

CREATE TABLE IF NOT EXISTS input_files (
    file_id        INTEGER,   -- order of reading: R9's "last read" follows it
    role           VARCHAR,   -- 'tasks' or 'sessions'
    path           VARCHAR,   -- as the user named it (or as a glob expanded it)
    format         VARCHAR,   -- 'csv' or 'parquet'
    time_zone      VARCHAR,   -- zone for timestamps that carry none
    rows_read      BIGINT,    -- data rows in the file (loaded + rejected)
    rows_loaded    BIGINT,
    rows_rejected  BIGINT,
    mapping        VARCHAR,   -- JSON: calltouch field -> header it was read from
    header         VARCHAR,   -- JSON: the file's column names, in order
    summary        VARCHAR    -- JSON: what loading the file did (summary.json's files[])
);

CREATE TABLE IF NOT EXISTS task_rows (
    _file_id          INTEGER,
    _error_field      VARCHAR,    -- NULL for a usable row, else the field that failed
    _error_code       VARCHAR,
    _error_value      VARCHAR,
    task_id           VARCHAR,    -- 18-character form
    bizible_id        VARCHAR,    -- trimmed, never case-folded; NULL when blank
    call_time         TIMESTAMP,  -- UTC
    call_time_source  VARCHAR,    -- 'touchpoint_date' or 'call_time'
    task_type         VARCHAR,
    who_id            VARCHAR,
    subject           VARCHAR,
    modstamp          TIMESTAMP,  -- LastModifiedDate / SystemModstamp, UTC
    _raw              VARCHAR[]   -- the own cells of a task without BizibleId (for unmatched)
);

CREATE TABLE IF NOT EXISTS session_rows (
    _file_id       INTEGER,
    _ord           BIGINT,        -- the row's number in a Parquet file (to fetch its details later)
    _error_field   VARCHAR,
    _error_code    VARCHAR,
    _error_value   VARCHAR,
    session_id     VARCHAR,
    cookie_id      VARCHAR,
    session_start  TIMESTAMP,     -- UTC
    visitor_id     VARCHAR,
    channel        VARCHAR,
    subchannel     VARCHAR,
    medium         VARCHAR,
    source         VARCHAR,
    campaign       VARCHAR,
    ad_name        VARCHAR,
    landing_page   VARCHAR,
    referrer_page  VARCHAR,
    search_phrase  VARCHAR,
    modstamp       TIMESTAMP,
    has_form       BOOLEAN,       -- the visit filled a web form (warehouse HAS_FORM)
    _calling       BOOLEAN        -- a one-shot load: the cookie is a BizibleId of a loaded task
                                  -- row (a superset of those that call); NULL: not checked
                                  -- (a workspace load) or no cookie
);
-- A workspace made by an earlier version lacks the newer columns.
ALTER TABLE session_rows ADD COLUMN IF NOT EXISTS _ord BIGINT;
ALTER TABLE session_rows ADD COLUMN IF NOT EXISTS _calling BOOLEAN;

-- The revenue inputs (issue 6): opportunities, their contact roles, and people (leads/contacts).
CREATE TABLE IF NOT EXISTS opportunity_rows (
    _file_id                INTEGER,
    _error_field            VARCHAR,
    _error_code             VARCHAR,
    _error_value            VARCHAR,
    opportunity_id          VARCHAR,
    amount                  DECIMAL(18, 2),
    created_date            TIMESTAMP,     -- UTC
    close_date              DATE,
    is_won                  BOOLEAN,
    is_closed               BOOLEAN,
    stage                   VARCHAR,
    account_id              VARCHAR,
    primary_contact_id      VARCHAR,
    converted_from_lead_id  VARCHAR,
    modstamp                TIMESTAMP
);

CREATE TABLE IF NOT EXISTS contact_role_rows (
    _file_id        INTEGER,
    _error_field    VARCHAR,
    _error_code     VARCHAR,
    _error_value    VARCHAR,
    opportunity_id  VARCHAR,
    contact_id      VARCHAR,
    is_primary      BOOLEAN,
    role            VARCHAR,
    modstamp        TIMESTAMP
);

CREATE TABLE IF NOT EXISTS person_rows (
    _file_id              INTEGER,
    _error_field          VARCHAR,
    _error_code           VARCHAR,
    _error_value          VARCHAR,
    person_id             VARCHAR,
    bizible_id            VARCHAR,
    converted_contact_id  VARCHAR,
    modstamp              TIMESTAMP
);

-- The touchpoint details (channel ... search_phrase) of sessions whose Parquet file was read
-- without them: a one-shot run fetches them after matching, for the sessions that merged only.
CREATE TABLE IF NOT EXISTS session_details (
    _file_id       INTEGER,
    _ord           BIGINT,
    channel        VARCHAR,
    subchannel     VARCHAR,
    medium         VARCHAR,
    source         VARCHAR,
    campaign       VARCHAR,
    ad_name        VARCHAR,
    landing_page   VARCHAR,
    referrer_page  VARCHAR,
    search_phrase  VARCHAR
);

CREATE TABLE IF NOT EXISTS rejects (
    role      VARCHAR,
    file_id   INTEGER,
    file      VARCHAR,
    line      BIGINT,     -- 1-based physical line (CSV) or row number (Parquet)
    "column"  VARCHAR,
    error     VARCHAR,
    raw       VARCHAR
);
