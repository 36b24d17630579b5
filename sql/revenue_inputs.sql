-- name: revenue_inputs
-- purpose: The reconciliation of the revenue inputs: per input, rows read = kept + duplicates + rejected; and the contact roles kept that name no loaded opportunity (and how many of those name a rejected one).
-- binds: none
-- context: none

-- Run after attribution_people (its de-duplicated tables). Contact roles are kept once per
-- (opportunity, contact); a repeated pair counts as a duplicate (att_roles). unlinked: the
-- contact roles kept whose opportunity is not among the opportunities (a filtered export, or
-- another org's): no journey reads them, and an opportunity they meant has no contacts.
WITH files AS (
    SELECT role, sum(rows_read) AS rows_read FROM input_files GROUP BY role
),
usable AS (
    SELECT 'opportunities' AS role, count(*) AS rows FROM opportunity_rows WHERE _error_field IS NULL
    UNION ALL
    SELECT 'contact_roles', count(*) FROM contact_role_rows WHERE _error_field IS NULL
    UNION ALL
    SELECT 'people', count(*) FROM person_rows WHERE _error_field IS NULL
),
kept AS (
    SELECT 'opportunities' AS role, count(*) AS rows FROM att_opportunities
    UNION ALL
    SELECT 'contact_roles', count(*) FROM att_roles
    UNION ALL
    SELECT 'people', count(*) FROM att_people
)
SELECT u.role,
       coalesce(f.rows_read, 0) AS read,
       k.rows AS kept,
       u.rows - k.rows AS duplicates,
       (SELECT count(*) FROM rejects AS r WHERE r.role = u.role) AS rejected,
       (SELECT count(*) FROM input_files AS i WHERE i.role = u.role) AS files,
       CASE WHEN u.role = 'contact_roles' THEN (
           SELECT count(*) FROM att_roles AS r
           WHERE NOT EXISTS (SELECT 1 FROM att_opportunities AS o
                             WHERE o.opportunity_id = r.opportunity_id)
       ) ELSE 0 END AS unlinked,
       -- of those, the roles whose opportunity was read but rejected (or deleted): the
       -- cause is that row, not a filtered export
       CASE WHEN u.role = 'contact_roles' THEN (
           SELECT count(*) FROM att_roles AS r
           WHERE NOT EXISTS (SELECT 1 FROM att_opportunities AS o
                             WHERE o.opportunity_id = r.opportunity_id)
             AND EXISTS (SELECT 1 FROM opportunity_rows AS o
                         WHERE o.opportunity_id = r.opportunity_id
                           AND o._error_field IS NOT NULL)
       ) ELSE 0 END AS unlinked_rejected,
       -- opportunities an earlier copy with a modification time keeps, over a copy read after
       -- it without one (R9: a copy with a modification time wins): a weekly report export
       -- without LastModifiedDate loses to last week's Data Loader export
       CASE WHEN u.role = 'opportunities' THEN (
           SELECT count(DISTINCT later.opportunity_id)
           FROM opportunity_rows AS later
           JOIN opportunity_rows AS earlier USING (opportunity_id)
           WHERE later.modstamp IS NULL AND earlier.modstamp IS NOT NULL
             AND later._file_id > earlier._file_id
             AND later._error_field IS NULL AND earlier._error_field IS NULL
       ) ELSE 0 END AS overruled
FROM usable AS u
JOIN kept AS k USING (role)
LEFT JOIN files AS f USING (role)
ORDER BY CASE u.role WHEN 'opportunities' THEN 1 WHEN 'contact_roles' THEN 2 ELSE 3 END;
