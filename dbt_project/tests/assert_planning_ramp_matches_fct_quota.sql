-- Planning and quota use one ramp and one plan per month (SPEC §4, §8):
-- every fct_quota month agrees with int_payee_month_ramps (the ramp rule both
-- read) and with planning's capacity rows (int_territory_assignment_months)
-- wherever the payee works a territory that month: the employment month, the
-- plan (null = no plan pays the month, e.g. job family not eligible) and the
-- ramp factor. Every month is compared, including months without a plan.
{{ config(meta={'dagster': {'ref': {'name': 'fct_quota'}}}) }}
with

quota as (

    select * from {{ ref('fct_quota') }}

),

ramps as (

    select
        'int_payee_month_ramps' as model,
        employee_id,
        period,
        employment_month,
        plan_id,
        ramp_factor
    from {{ ref('int_payee_month_ramps') }}

    union all

    select
        'int_territory_assignment_months' as model,
        employee_id,
        period,
        employment_month,
        plan_id,
        ramp_factor
    from {{ ref('int_territory_assignment_months') }}

)

select
    ramps.model,
    quota.employee_id,
    quota.period,
    quota.plan_id as quota_plan_id,
    ramps.plan_id as planning_plan_id,
    quota.ramp_factor as quota_ramp_factor,
    ramps.ramp_factor as planning_ramp_factor
from quota
inner join ramps
    on quota.employee_id = ramps.employee_id
    and quota.period = ramps.period
where quota.ramp_factor <> ramps.ramp_factor
    or quota.employment_month <> ramps.employment_month
    or coalesce(quota.plan_id, '') <> coalesce(ramps.plan_id, '')
