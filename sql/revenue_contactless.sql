-- name: revenue_contactless
-- purpose: The opportunities that have no contact, of all opportunities, the usable contact roles loaded and the contact role rows read: when no contact role is usable and no opportunity names a contact itself, none can be attributed.
-- binds: none
-- context: none

-- Run after attribution_people (att_opportunities, att_contacts).
SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM att_contacts AS c
                                          WHERE c.opportunity_id = o.opportunity_id))
           AS contactless,
       count(*) AS opportunities,
       (SELECT count(*) FROM contact_role_rows WHERE _error_field IS NULL) AS roles,
       -- every row of the contact role files, rejected and deleted ones included
       (SELECT coalesce(sum(rows_read), 0) FROM input_files WHERE role = 'contact_roles')
           AS roles_read
FROM att_opportunities AS o;
