-- Quota per payee and period (SPEC §4): the annual quota of the plan year
-- spread evenly over its months (weight 1/12 each). Each month's quota is
-- annual / 12 to the 10th decimal, allocated by cumulative rounding
--   monthly(m) = round(annual * m / 12) - round(annual * (m - 1) / 12)
-- so the twelve months add up to exactly the annual quota (100000 gives
-- 8333.3333333333, 8333.3333333334, 8333.3333333333, ...). Seasonality weights
-- replace m / 12 by the cumulative weight; ramp and proration will multiply the
-- monthly quota in a later step.
with

quotas as (

    select * from {{ ref('int_quotas_validated') }}
    where quarantine_rule is null

),

periods as (

    select * from {{ ref('dim_period') }}

),

quota_months as (

    select
        quotas.employee_id,
        periods.period,
        periods.plan_year,
        periods.month_of_year,
        quotas.annual_quota,
        quotas.currency
    from quotas
    inner join periods
        on quotas.plan_year = periods.plan_year

),

monthly as (

    select
        *,
        {{ money(
            divide_money('annual_quota * month_of_year', '12')
            ~ ' - ' ~ divide_money('annual_quota * (month_of_year - 1)', '12')
        ) }} as monthly_quota
    from quota_months

),

final as (

    select
        ----------  ids
        employee_id,
        period,
        plan_year,

        ----------  amounts
        annual_quota,
        monthly_quota,
        currency

    from monthly

)

select * from final
