-- One row per usable company target (plan year; int_company_targets_validated,
-- which also gives the plan year's first day and the FX rate of the target
-- currency on it, fx_rate_target): the history window [history_start,
-- plan_year_start) of the potential weights (history_months before the plan
-- year).
with

targets as (

    select * from {{ ref('int_company_targets_validated') }}
    where quarantine_rule is null

),

weights as (

    select * from {{ ref('stg_config__territory_potential_weights') }}

),

years as (

    select
        targets.plan_year,
        targets.target_amount,
        targets.currency,
        targets.new_hire_plan_id,
        targets.fx_rate_target,
        targets.plan_year_start,
        cast(cast(targets.plan_year as {{ dbt.type_string() }}) || '-12-31' as date) as plan_year_end,
        coalesce(weights.size_weight, {{ money('0.5') }}) as size_weight,
        coalesce(weights.history_weight, {{ money('0.5') }}) as history_weight,
        coalesce(weights.history_months, 12) as history_months
    from targets
    left join weights
        on 1 = 1

)

select
    years.*,
    cast({{ dbt.dateadd('month', '-1 * years.history_months', 'years.plan_year_start') }} as date) as history_start
from years
