-- name: attribution_scope
-- purpose: Narrow the attribution to one journey (calltouch journey ID): the opportunity $id, or the opportunities of the person $id, with their contacts; the other opportunities, contact links and cookies leave the att_ tables.
-- binds: id
-- context: none

-- Run after attribution_people. An opportunity's journey and shares depend only on its
-- contacts' touchpoints, and a person's path only on theirs, so the journey of one is the
-- same here as in a whole build, which computed every journey to show one (27 s at 2M
-- sessions, 80k opportunities). The id is as journey_lookup takes it (as stored; a converted
-- lead is its contact).
CREATE OR REPLACE TEMP TABLE att_scope AS
WITH asked AS (
    SELECT $id AS id  -- as stored (queries.stored_id)
),
person AS (
    SELECT coalesce(m.person_id, a.id) AS person_id
    FROM asked AS a
    LEFT JOIN att_person_map AS m ON m.id = a.id
),
opportunities AS (
    SELECT opportunity_id FROM att_opportunities WHERE opportunity_id = (SELECT id FROM asked)
    UNION
    SELECT opportunity_id FROM att_contacts WHERE person_id = (SELECT person_id FROM person)
)
SELECT opportunity_id, CAST(NULL AS VARCHAR) AS person_id FROM opportunities
UNION ALL
SELECT NULL, person_id FROM att_contacts
WHERE opportunity_id IN (SELECT opportunity_id FROM opportunities)
UNION ALL
SELECT NULL, person_id FROM person WHERE person_id IS NOT NULL;

DELETE FROM att_opportunities
WHERE opportunity_id NOT IN (
    SELECT opportunity_id FROM att_scope WHERE opportunity_id IS NOT NULL);

DELETE FROM att_contacts
WHERE opportunity_id NOT IN (
    SELECT opportunity_id FROM att_scope WHERE opportunity_id IS NOT NULL);

DELETE FROM att_cookies
WHERE person_id NOT IN (SELECT person_id FROM att_scope WHERE person_id IS NOT NULL);
