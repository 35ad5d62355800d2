-- One row per usable company target (plan year; int_company_targets_validated): the plan year's first day, the
-- history window [history_start, plan_year_start) of the potential weights
-- (history_months before the plan year) and the FX rate of the target
-- currency on the plan year's first day (units per one corporate currency
-- unit; 1 for the corporate currency without a CRM row).
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
        cast(cast(targets.plan_year as {{ dbt.type_string() }}) || '-01-01' as date) as plan_year_start,
        cast(cast(targets.plan_year as {{ dbt.type_string() }}) || '-12-31' as date) as plan_year_end,
        coalesce(weights.size_weight, {{ money('0.5') }}) as size_weight,
        coalesce(weights.history_weight, {{ money('0.5') }}) as history_weight,
        coalesce(weights.history_months, 12) as history_months
    from targets
    left join weights
        on 1 = 1

),

target_rates as (

    {{ dated_rate('years', ['plan_year'], 'currency', 'plan_year_start') }}

)

select
    years.*,
    cast({{ dbt.dateadd('month', '-1 * years.history_months', 'years.plan_year_start') }} as date) as history_start,
    coalesce(
        target_rates.conversion_rate,
        case when years.currency = '{{ var("corporate_currency") }}' then {{ money('1') }} end
    ) as fx_rate_target
from years
left join target_rates
    on years.plan_year = target_rates.plan_year
    and target_rates.rate_rank = 1
