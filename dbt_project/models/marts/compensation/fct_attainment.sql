-- Attainment per payee and period with a quota: credit / quota for the period
-- and year-to-date within the plan year (SPEC §1). Quota and credit are both in
-- the payee's currency. attainment is null when the quota is 0.
with

quotas as (

    select * from {{ ref('fct_quota') }}

),

credits as (

    select * from {{ ref('fct_credit') }}

),

credit_per_period as (

    select
        employee_id,
        period,
        sum(credit_amount) as credit_amount
    from credits
    group by employee_id, period

),

per_period as (

    select
        quotas.employee_id,
        quotas.period,
        quotas.plan_year,
        quotas.currency,
        {{ money('coalesce(credit_per_period.credit_amount, 0)') }} as credit_period,
        quotas.monthly_quota as quota_period
    from quotas
    left join credit_per_period
        on quotas.employee_id = credit_per_period.employee_id
        and quotas.period = credit_per_period.period

),

year_to_date as (

    select
        *,
        {{ money('sum(credit_period) over (
            partition by employee_id, plan_year
            order by period
            rows between unbounded preceding and current row
        )') }} as credit_ytd,
        {{ money('sum(quota_period) over (
            partition by employee_id, plan_year
            order by period
            rows between unbounded preceding and current row
        )') }} as quota_ytd
    from per_period

),

final as (

    select
        ----------  ids
        employee_id,
        period,
        plan_year,
        currency,

        ----------  period
        credit_period,
        quota_period,
        {{ divide_money('credit_period', 'quota_period') }} as attainment_period,

        ----------  year to date
        credit_ytd,
        quota_ytd,
        {{ divide_money('credit_ytd', 'quota_ytd') }} as attainment_ytd

    from year_to_date

)

select * from final
