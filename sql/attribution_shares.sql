-- name: attribution_shares
-- purpose: Attribution step 3: each model's share of every journey touchpoint (exact, as DECIMAL(38,18)), its revenue, and the opportunities each model leaves unattributed.
-- binds: custom, custom_weights
-- context: none

-- Weights are integers in billionths (1000000000 = the whole opportunity) so that every share
-- is an exact fraction of integers; $custom tells whether --weights were given, and
-- $custom_weights holds them as [ft, lc, oc, cw, middle] (validated to sum to 1000000000).
CREATE OR REPLACE TEMP TABLE att_models AS
SELECT * FROM (VALUES
    (1, 'first_touch', 1000000000, 0, 0, 0, 0),
    (2, 'lead_creation', 0, 1000000000, 0, 0, 0),
    (3, 'u_shaped', 500000000, 500000000, 0, 0, 0),
    (4, 'w_shaped', 300000000, 300000000, 300000000, 0, 100000000),
    (5, 'full_path', 225000000, 225000000, 225000000, 225000000, 100000000)
) AS m(model_order, model, ft, lc, oc, cw, middle)
UNION ALL
SELECT 6, 'custom', $custom_weights[1], $custom_weights[2], $custom_weights[3],
       $custom_weights[4], $custom_weights[5]
WHERE $custom;

-- Under a model, a touchpoint earns the weights of the positions it holds (a position with
-- weight 0 is not one of the model's positions). The weights of the model's positions the
-- journey lacks, and the middle weight when it has no middle touch, go evenly to the model's
-- positions that are present; the middle weight is divided equally among the model's middle
-- touches (forms and calls holding none of its positions). With P positions present, k
-- middle touches (k' = max(k, 1)) and M the weight left by missing positions:
--   share = (held * P * k' + held_positions * M * k' + [middle] * middle * P) / (1e9 * P * k')
-- No position present: the middle touches share everything equally when the model weighs
-- them (a custom --weights middle=1, or cw=.5,middle=.5 on an open opportunity), share =
-- [middle] / k; else unattributed. These fractions of one opportunity sum to 1; written to 18
-- decimals, each is cut to its 18th decimal and the units of 1e-18 the cuts lost go one each
-- to the largest remainders (ties: the earlier touchpoint), so that the shares of every
-- attributed opportunity sum to exactly 1 and its revenue to exactly its amount (three thirds
-- are 0.333333333333333334, 0.333333333333333333 and 0.333333333333333333), each share
-- within 1e-18 of its fraction. Integers throughout: no result depends on the machine.
CREATE OR REPLACE TEMP TABLE att_credit AS
WITH held AS (
    SELECT
        j.scenario, j.opportunity_id, j.touchpoint_id, j.person_id, j.kind, j.touchpoint_type,
        j.touchpoint_date, j.channel, j.subchannel, j.campaign, j.status, j.amount,
        m.model, m.model_order, m.middle,
        CAST(
            CASE WHEN j.is_ft THEN m.ft ELSE 0 END + CASE WHEN j.is_lc THEN m.lc ELSE 0 END
            + CASE WHEN j.is_oc THEN m.oc ELSE 0 END + CASE WHEN j.is_cw THEN m.cw ELSE 0 END
            AS HUGEINT) AS held_weight,
        CAST(j.is_ft AND m.ft > 0 AS INTEGER) + CAST(j.is_lc AND m.lc > 0 AS INTEGER)
            + CAST(j.is_oc AND m.oc > 0 AS INTEGER) + CAST(j.is_cw AND m.cw > 0 AS INTEGER)
            AS held_positions,
        -- every journey has its FT; LC, OC and CW may be missing
        CAST(m.ft > 0 AS INTEGER) + CAST(j.has_lc AND m.lc > 0 AS INTEGER)
            + CAST(j.has_oc AND m.oc > 0 AS INTEGER) + CAST(j.has_cw AND m.cw > 0 AS INTEGER)
            AS present_positions,
        CAST(
            CASE WHEN j.has_lc THEN 0 ELSE m.lc END + CASE WHEN j.has_oc THEN 0 ELSE m.oc END
            + CASE WHEN j.has_cw THEN 0 ELSE m.cw END
            AS HUGEINT) AS missing_weight,
        j.engaged AND NOT (
            (j.is_ft AND m.ft > 0) OR (j.is_lc AND m.lc > 0)
            OR (j.is_oc AND m.oc > 0) OR (j.is_cw AND m.cw > 0)) AS is_model_middle
    FROM att_journeys AS j
    CROSS JOIN att_models AS m
),
counted AS (
    -- a sum, not count(*) FILTER: DuckDB evaluated the filtered count row by row over the
    -- partition (beside the ORDER BY window below), quadratic in the journey's length (a bot
    -- cookie's journeys at 80k sessions / 40k calls: 63-72 s, against 3.5 s as a sum)
    SELECT *,
           CAST(sum(CASE WHEN is_model_middle THEN 1 ELSE 0 END) OVER (
               PARTITION BY scenario, opportunity_id, model) AS BIGINT) AS middle_touches
    FROM held
),
rational AS (
    SELECT *,
           CAST(greatest(middle_touches, 1) AS HUGEINT) AS k,
           missing_weight + CASE WHEN middle_touches = 0 THEN middle ELSE 0 END AS missing
    FROM counted
),
fractions AS (
    SELECT *,
           CASE WHEN present_positions > 0 THEN
               held_weight * present_positions * k + held_positions * missing * k
               + CASE WHEN is_model_middle THEN CAST(middle AS HUGEINT) * present_positions
                      ELSE 0 END
           ELSE CAST(is_model_middle AS HUGEINT) END AS numerator,
           CASE WHEN present_positions > 0 THEN CAST(1000000000 AS HUGEINT) * present_positions * k
                ELSE k END AS denominator,
           present_positions > 0 OR (middle > 0 AND middle_touches > 0) AS attributed
    FROM rational
),
cut AS (
    -- the share in units of 1e-18, cut, and what the cut lost (in 1/denominator of a unit)
    SELECT *,
           numerator * CAST(1000000000000000000 AS HUGEINT) // denominator AS units,
           numerator * CAST(1000000000000000000 AS HUGEINT) % denominator AS remainder
    FROM fractions
),
placed AS (
    SELECT *,
           -- the units the opportunity's cut shares lack (fewer than its touchpoints)
           CAST(1000000000000000000 AS HUGEINT)
               - sum(units) OVER (PARTITION BY scenario, opportunity_id, model) AS lacking,
           row_number() OVER (
               PARTITION BY scenario, opportunity_id, model
               ORDER BY remainder DESC, touchpoint_date, touchpoint_id) AS by_remainder
    FROM cut
),
shares AS (
    SELECT *,
           CASE WHEN attributed THEN
               CAST(units + CASE WHEN by_remainder <= lacking THEN 1 ELSE 0 END AS DECIMAL(38, 0))
               * CAST('0.000000000000000001' AS DECIMAL(38, 18))
           END AS share
    FROM placed
)
SELECT scenario, opportunity_id, touchpoint_id, person_id, kind, touchpoint_type,
       touchpoint_date, channel, subchannel, campaign, status, amount, model, model_order,
       is_model_middle, middle_touches, attributed, share,
       -- revenue = amount x share: won revenue for won, pipeline for open, none for lost
       CASE WHEN status = 'won' THEN coalesce(amount, 0) * share
            WHEN share IS NOT NULL THEN CAST(0 AS DECIMAL(38, 20)) END AS won_revenue,
       CASE WHEN status = 'open' THEN coalesce(amount, 0) * share
            WHEN share IS NOT NULL THEN CAST(0 AS DECIMAL(38, 20)) END AS pipeline
FROM shares;

-- Opportunities a model cannot attribute, per scenario: no contacts, no touchpoints by the
-- cutoff, or none of the model's positions nor a middle touch it weighs (Lead Creation
-- without a form or call).
CREATE OR REPLACE TEMP TABLE att_unattributed AS
WITH per_model AS (
    SELECT scenario, opportunity_id, model, bool_or(attributed) AS attributed,
           count(*) AS touchpoints
    FROM att_credit
    GROUP BY ALL
),
contacts AS (
    SELECT opportunity_id, count(DISTINCT person_id) AS contacts
    FROM att_contacts
    GROUP BY ALL
)
SELECT s.scenario, m.model, m.model_order, o.opportunity_id, o.status, o.amount, o.close_date,
       coalesce(c.contacts, 0) AS contacts, coalesce(p.touchpoints, 0) AS touchpoints,
       CASE WHEN coalesce(c.contacts, 0) = 0 THEN 'no_contacts'
            WHEN p.touchpoints IS NULL THEN 'no_touchpoints'
            ELSE 'no_model_positions' END AS reason
FROM att_opportunities AS o
CROSS JOIN att_models AS m
CROSS JOIN (VALUES ('calls'), ('no_calls')) AS s(scenario)
LEFT JOIN contacts AS c USING (opportunity_id)
LEFT JOIN per_model AS p
    ON p.scenario = s.scenario AND p.opportunity_id = o.opportunity_id AND p.model = m.model
WHERE NOT coalesce(p.attributed, false);
