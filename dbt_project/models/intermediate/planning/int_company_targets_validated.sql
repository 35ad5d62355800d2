-- Company targets (config company_targets.csv) with the rule a row breaks, if any:
--   unknown_new_hire_plan_id   new_hire_plan_id names no plan of the plan files (the
--                              planned new hires' ramp would silently be none)
--   missing_fx_rate            the target's currency has no DatedConversionRate on the
--                              plan year's first day (and is not the corporate
--                              currency): proposals could not be compared with
--                              quotas in the payees' currencies
-- fx_rate_target: the rate of the target currency on the plan year's first day
-- (units per one corporate currency unit; 1 for the corporate currency without a
-- CRM row), read by int_planning_years.
-- Rows with a quarantine_rule are listed in fct_quarantine
-- (int_config_rows_quarantined) and not planned (int_planning_years).
with

targets as (

    select
        *,
        cast(cast(plan_year as {{ dbt.type_string() }}) || '-01-01' as date) as plan_year_start
    from {{ ref('stg_config__company_targets') }}

),

plans as (

    select * from {{ ref('stg_config__plans') }}

),

target_rates as (

    {{ dated_rate('targets', ['plan_year'], 'currency', 'plan_year_start') }}

),

corporate as (

    select '{{ var("corporate_currency") }}' as currency

)

select
    targets.*,
    coalesce(
        target_rates.conversion_rate,
        case when targets.currency = corporate.currency then {{ money('1') }} end
    ) as fx_rate_target,
    case
        when targets.new_hire_plan_id is not null and plans.plan_id is null then 'unknown_new_hire_plan_id'
        when target_rates.conversion_rate is null and targets.currency <> corporate.currency then 'missing_fx_rate'
    end as quarantine_rule
from targets
cross join corporate
left join plans
    on targets.new_hire_plan_id = plans.plan_id
left join target_rates
    on targets.plan_year = target_rates.plan_year
    and target_rates.rate_rank = 1
