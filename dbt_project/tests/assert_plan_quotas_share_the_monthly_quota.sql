-- Plan days (SPEC §4, §5: a payee changing plan mid-month is paid under each
-- plan for its days): the plans of a payee-month never get more quota than the
-- payee's monthly quota, and when plans pay every eligible day of the month
-- their quotas add up to it (each row rounded once at the 10th decimal).
-- Returns the payee-months that do not.

-- Dagster shows this test as an asset check of fct_quota.
{{ config(meta={'dagster': {'ref': {'name': 'fct_quota'}}}) }}

with

by_plan as (

    select
        employee_id,
        period,
        count(*) as plan_count,
        sum(plan_eligible_days) as plan_days,
        sum(plan_quota) as plan_quota
    from {{ ref('int_quota_months_by_plan') }}
    group by employee_id, period

)

select
    by_plan.*,
    quotas.eligible_days,
    quotas.monthly_quota
from by_plan
inner join {{ ref('fct_quota') }} as quotas
    on by_plan.employee_id = quotas.employee_id
    and by_plan.period = quotas.period
where by_plan.plan_days > quotas.eligible_days
    or by_plan.plan_quota > quotas.monthly_quota + 0.0000000001 * by_plan.plan_count
    or (by_plan.plan_days = quotas.eligible_days
        and abs(by_plan.plan_quota - quotas.monthly_quota) > 0.0000000001 * by_plan.plan_count)
