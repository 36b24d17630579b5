-- name: attribution_people
-- purpose: Attribution step 1: de-duplicated opportunities, people and contact roles, who each person is, their cookies, and each opportunity's contacts.
-- binds: none
-- context: none

-- Everything here is a TEMP table (att_*): attribution is computed on demand from what is
-- loaded and matched, and never changes the workspace file (it also runs on a read-only one).

-- Opportunities, one row per id: the last by modification time, else the last read (as R9),
-- among the usable rows and the deleted records: an opportunity whose last copy is deleted
-- is gone, its earlier copies duplicates.
-- Status: won when IsWon (or, without IsWon, a StageName holding the words 'Closed Won', or
-- 'Won' alone); lost when closed and not won (IsClosed, or without it a StageName holding the
-- word 'Closed' or 'Lost'); open otherwise. A stage is compared by its words, in any case:
-- 'Closed - Won', 'Closed/Won', 'ClosedWon', 'Stage 6 - Closed Won' and 'Closed Won -
-- Renewal' are won; 'Closed Won't Renew' and 'Closed Lost - Won back' are lost.
CREATE OR REPLACE TEMP TABLE att_opportunities AS
SELECT
    opportunity_id,
    amount,
    created_date,
    close_date,
    stage,
    account_id,
    primary_contact_id,
    converted_from_lead_id,
    CASE
        WHEN won THEN 'won'
        WHEN coalesce(is_closed,
                      regexp_matches(stage_words, '(^| )(closed ?(won|lost)?|lost)( |$)'),
                      false) THEN 'lost'
        ELSE 'open'
    END AS status
FROM (
    SELECT *,
           coalesce(is_won,
                    regexp_matches(stage_words, '(^| )closed ?won( |$)') OR stage_words = 'won',
                    false) AS won
    FROM (
        SELECT *, rowid AS _rid,
               -- apostrophes dropped first: Won't is the word wont, not won
               trim(regexp_replace(regexp_replace(lower(stage), '[''\x{2019}]', '', 'g'),
                                   '[^a-z]+', ' ', 'g')) AS stage_words
        FROM opportunity_rows
        WHERE _error_field IS NULL OR _error_code = 'deleted'
    )
    QUALIFY row_number() OVER (
        PARTITION BY opportunity_id ORDER BY modstamp DESC NULLS LAST, _file_id DESC, _rid DESC) = 1
)
WHERE _error_field IS NULL;

-- People (leads and contacts), one row per id, the same way.
CREATE OR REPLACE TEMP TABLE att_people AS
SELECT person_id, bizible_id, converted_contact_id
FROM (
    SELECT *
    FROM (
        SELECT *, rowid AS _rid FROM person_rows
        WHERE _error_field IS NULL OR _error_code = 'deleted'
    )
    QUALIFY row_number() OVER (
        PARTITION BY person_id ORDER BY modstamp DESC NULLS LAST, _file_id DESC, _rid DESC) = 1
)
WHERE _error_field IS NULL;

-- A converted lead is its contact: lead id -> contact id (any other id is itself).
CREATE OR REPLACE TEMP TABLE att_person_map AS
SELECT person_id AS id, converted_contact_id AS person_id
FROM att_people
WHERE converted_contact_id IS NOT NULL AND converted_contact_id <> person_id;

-- A person's cookies: the BizibleIds on their tasks plus the People export's.
CREATE OR REPLACE TEMP TABLE att_cookies AS
SELECT DISTINCT coalesce(m.person_id, c.id) AS person_id, c.cookie, c.source
FROM (
    SELECT who_id AS id, bizible_id AS cookie, 'task' AS source
    FROM tasks
    WHERE who_id IS NOT NULL AND bizible_id IS NOT NULL
    UNION ALL
    SELECT person_id, bizible_id, 'people'
    FROM att_people
    WHERE bizible_id IS NOT NULL
) AS c
LEFT JOIN att_person_map AS m ON m.id = c.id;

-- Contact roles, one row per (opportunity, contact): the last copy as R9 chooses, among the
-- usable rows and the deleted records (a role deleted after an earlier export held it is gone).
CREATE OR REPLACE TEMP TABLE att_roles AS
SELECT opportunity_id, contact_id
FROM (
    SELECT *
    FROM (
        SELECT *, rowid AS _rid FROM contact_role_rows
        WHERE _error_field IS NULL OR _error_code = 'deleted'
    )
    QUALIFY row_number() OVER (
        PARTITION BY opportunity_id, contact_id
        ORDER BY modstamp DESC NULLS LAST, _file_id DESC, _rid DESC) = 1
)
WHERE _error_field IS NULL;

-- An opportunity's contacts: its contact roles; an opportunity without any contact role is
-- linked through its own primary contact and converted-lead columns (warehouse). Each id is
-- then the person it is (a converted lead: its contact).
CREATE OR REPLACE TEMP TABLE att_contacts AS
WITH roles AS (
    SELECT opportunity_id, contact_id AS id, 'contact_role' AS source
    FROM att_roles
),
fallback AS (
    SELECT opportunity_id, unnest([primary_contact_id, converted_from_lead_id]) AS id,
           'opportunity' AS source
    FROM att_opportunities
    WHERE opportunity_id NOT IN (SELECT opportunity_id FROM roles)
)
SELECT DISTINCT x.opportunity_id, coalesce(m.person_id, x.id) AS person_id, x.source
FROM (
    SELECT * FROM roles
    UNION ALL
    SELECT * FROM fallback WHERE id IS NOT NULL
) AS x
JOIN att_opportunities AS o USING (opportunity_id)
LEFT JOIN att_person_map AS m ON m.id = x.id;
