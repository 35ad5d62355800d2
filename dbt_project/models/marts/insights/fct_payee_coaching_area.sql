-- Every coaching area of every payee and close quarter against the payee's
-- peers (int_payee_coaching_areas: the stages of the funnel, the product
-- families, the segments and the payee's deals overall; the formulas are
-- there and in docs/insights.md#coaching-needs).
select * from {{ ref('int_payee_coaching_areas') }}
