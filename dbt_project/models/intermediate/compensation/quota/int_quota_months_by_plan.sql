-- The quota of each plan a payee is paid under in a month (SPEC §4, §5; "a
-- payee who changes plan mid-year is paid under each plan for its days"):
--   plan_quota = full_monthly_quota * ramp_factor * plan_eligible_days / days_in_month
-- with plan_eligible_days the month's eligible days (hire, termination, unpaid
-- leave) that the plan pays (int_quota_eligible_days), and the month's ramp
-- factor and seasonal full quota of int_quota_months_prorated, so proration by
-- plan and by eligibility are one rule: a plan with every eligible day of the
-- month gets exactly the payee's monthly_quota, and the plans of a month share
-- it by days (their quotas add up to monthly_quota, to the 10th decimal of
-- each row, when plans pay every eligible day). One exact division, rounded at
-- the 10th decimal. Months of an eligible plan segment without an eligible day
-- have no row (quota 0 downstream).
with

months as (

    select * from {{ ref('int_quota_months_prorated') }}

),

plan_days as (

    select * from {{ ref('int_quota_eligible_days') }}
    where plan_id is not null

),

final as (

    select
        ----------  ids
        months.employee_id,
        months.period,
        plan_days.plan_id,

        ----------  factors
        months.ramp_factor,
        cast(plan_days.eligible_days as {{ dbt.type_int() }}) as plan_eligible_days,
        months.eligible_days,
        months.days_in_month,

        ----------  amounts
        months.full_monthly_quota,
        months.monthly_quota,
        {{ divide_money('months.full_monthly_quota * months.ramp_factor * plan_days.eligible_days', 'months.days_in_month') }}
            as plan_quota,
        months.currency

    from months
    inner join plan_days
        on months.employee_id = plan_days.employee_id
        and months.period = plan_days.period

)

select * from final
