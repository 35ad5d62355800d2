-- Company targets (config company_targets.csv) with the rule a row breaks, if any:
--   unknown_new_hire_plan_id   new_hire_plan_id names no plan of the plan files (the
--                              planned new hires' ramp would silently be none)
-- Rows with a quarantine_rule are listed in fct_quarantine
-- (int_config_rows_quarantined) and not planned (int_planning_years).
with

targets as (

    select * from {{ ref('stg_config__company_targets') }}

),

plans as (

    select * from {{ ref('stg_config__plans') }}

)

select
    targets.*,
    case
        when targets.new_hire_plan_id is not null and plans.plan_id is null then 'unknown_new_hire_plan_id'
    end as quarantine_rule
from targets
left join plans
    on targets.new_hire_plan_id = plans.plan_id
