-- The values each rule matches, per dimension (billing_country, industry, size_band);
-- a rule without a condition on a dimension matches every value of it.
select
    rule_id,
    dimension,
    value as condition_value
from {{ source('planning_config', 'territory_rule_condition') }}
