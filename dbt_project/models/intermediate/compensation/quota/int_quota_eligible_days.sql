-- Eligible days of every usable quota's months (SPEC §4), per payee, period and
-- the plan that pays the day. The day rules are int_payee_days': a day is
-- eligible when on or after the hire date, on or before the termination date
-- and in no unpaid leave; its plan is that of the eligible assignment segment
-- covering it (later assignment start wins), null on days no plan pays.
-- int_quota_months_prorated sums the days of a month (the payee's quota);
-- int_quota_months_by_plan gives each plan the quota of its days.
with

quotas as (

    select * from {{ ref('int_quotas_validated') }}
    where quarantine_rule is null

),

days as (

    select * from {{ ref('int_payee_days') }}
    where is_eligible_day

),

final as (

    select
        ----------  ids
        days.employee_id,
        days.period,
        days.plan_id,

        ----------  days
        cast(count(*) as {{ dbt.type_int() }}) as eligible_days

    from quotas
    inner join days
        on quotas.employee_id = days.employee_id
        and quotas.plan_year = days.plan_year
    group by days.employee_id, days.period, days.plan_id

)

select * from final
