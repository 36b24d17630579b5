-- name: journey_lookup
-- purpose: What an id given to `calltouch journey` is: an opportunity, or a person (a converted lead is shown as its contact).
-- binds: id
-- context: none

WITH asked AS (
    SELECT $id AS id  -- as stored (queries.stored_id)
),
person AS (
    SELECT coalesce(m.person_id, a.id) AS person_id, m.person_id IS NOT NULL AS converted
    FROM asked AS a
    LEFT JOIN att_person_map AS m ON m.id = a.id
)
SELECT
    (SELECT id FROM asked) AS id,
    EXISTS (SELECT 1 FROM att_opportunities WHERE opportunity_id = (SELECT id FROM asked))
        AS is_opportunity,
    p.person_id,
    p.converted,
    EXISTS (SELECT 1 FROM att_touchpoints AS t WHERE t.person_id = p.person_id)
        OR EXISTS (SELECT 1 FROM att_cookies AS c WHERE c.person_id = p.person_id)
        OR EXISTS (SELECT 1 FROM att_contacts AS c WHERE c.person_id = p.person_id)
        OR EXISTS (SELECT 1 FROM tasks WHERE who_id = (SELECT id FROM asked))
        -- a People export's lead or contact, with no touchpoint or role: it is still a person
        OR EXISTS (SELECT 1 FROM att_people WHERE person_id IN ((SELECT id FROM asked), p.person_id))
        OR EXISTS (SELECT 1 FROM att_person_map AS c WHERE c.person_id = p.person_id) AS is_person
FROM person AS p;
