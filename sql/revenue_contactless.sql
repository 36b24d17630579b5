-- name: revenue_contactless
-- purpose: The opportunities that have no contact, of all opportunities, and the usable contact roles loaded: when no contact role is loaded and no opportunity names a contact itself, none can be attributed.
-- binds: none
-- context: none

-- Run after attribution_people (att_opportunities, att_contacts).
SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM att_contacts AS c
                                          WHERE c.opportunity_id = o.opportunity_id))
           AS contactless,
       count(*) AS opportunities,
       (SELECT count(*) FROM contact_role_rows WHERE _error_field IS NULL) AS roles
FROM att_opportunities AS o;
