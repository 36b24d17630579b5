-- name: stored_id
-- purpose: The form in which an id a user asks for (explain, journey) is stored: as written when a task row holds it as its id or WhoId (a call log's ids and phone numbers are kept so), else a Salesforce id's 18-character form.
-- binds: id
-- context: none

SELECT CASE WHEN EXISTS (
                SELECT 1 FROM task_rows WHERE task_id = ct_clean($id) OR who_id = ct_clean($id)
            )
            THEN ct_clean($id) ELSE ct_sf18(ct_clean($id)) END AS id;
