-- One row per usable quota and month of its plan year (SPEC §4):
--   monthly_quota = annual_quota * seasonality_weight(month) * ramp(k)
--                   * eligible_days / days_in_month
-- * Seasonality: full_monthly_quota(m) = round(annual * W(m)) - round(annual * W(m-1))
--   with W the cumulative weight of the quota's seasonality_profile
--   (stg_config__seasonality), or m / 12 without a profile, so the twelve
--   months sum to the annual quota exactly (100000 / 12 gives 8333.3333333333,
--   8333.3333333334, ...). A profile named but not configured counts as 1/12.
-- * Ramp: employment_month, the month's plan and ramp_factor are those of
--   int_payee_month_ramps (k = months since the hire month + 1; the plan_ramp
--   row of the plan paying the month that started last; 1.0 otherwise), the
--   one ramp rule planning reads too.
-- * Proration: a day is eligible when on or after the hire date, on or before
--   the termination date and in no unpaid leave (paid leave is eligible);
--   the days are int_payee_days', counted in int_quota_eligible_days.
--   Months before the hire have 0 eligible days: quota 0, the row is kept.
-- monthly_quota = (full_monthly_quota * ramp_factor * eligible_days) / days_in_month,
-- one exact division rounded at the 10th decimal.
with

quotas as (

    select * from {{ ref('int_quotas_validated') }}
    where quarantine_rule is null

),

periods as (

    select * from {{ ref('int_periods') }}

),

seasonality as (

    select * from {{ ref('stg_config__seasonality') }}

),

ramps as (

    select * from {{ ref('int_payee_month_ramps') }}

),

eligible as (

    select
        employee_id,
        period,
        sum(eligible_days) as eligible_days
    from {{ ref('int_quota_eligible_days') }}
    group by employee_id, period

),

-- Cumulative weight of each profile up to and including each month.
seasonality_cumulative as (

    select
        seasonality_profile,
        month_of_year,
        weight,
        sum(weight) over (
            partition by seasonality_profile
            order by month_of_year
            rows between unbounded preceding and current row
        ) as cumulative_weight
    from seasonality

),

quota_months as (

    select
        quotas.employee_id,
        quotas.plan_year,
        quotas.annual_quota,
        quotas.currency,
        quotas.seasonality_profile,
        periods.period,
        periods.period_start,
        periods.period_end,
        periods.quarter,
        periods.month_of_year,
        periods.days_in_month,
        ramps.employment_month,
        ramps.plan_id,
        ramps.ramp_factor
    from quotas
    inner join periods
        on quotas.plan_year = periods.plan_year
    inner join ramps
        on quotas.employee_id = ramps.employee_id
        and periods.period = ramps.period

),

seasoned as (

    select
        quota_months.*,
        this_month.weight as profile_weight,
        this_month.cumulative_weight,
        coalesce(previous_month.cumulative_weight, 0) as previous_cumulative_weight,
        this_month.seasonality_profile is not null as has_profile
    from quota_months
    left join seasonality_cumulative as this_month
        on quota_months.seasonality_profile = this_month.seasonality_profile
        and quota_months.month_of_year = this_month.month_of_year
    left join seasonality_cumulative as previous_month
        on quota_months.seasonality_profile = previous_month.seasonality_profile
        and quota_months.month_of_year - 1 = previous_month.month_of_year

),

full_monthly as (

    select
        seasoned.*,
        case
            when seasoned.has_profile then seasoned.profile_weight
            else {{ divide_money('1', '12') }}
        end as seasonality_weight,
        case
            when seasoned.has_profile then {{ money(
                divide_money('annual_quota * cumulative_weight', '1')
                ~ ' - ' ~ divide_money('annual_quota * previous_cumulative_weight', '1')
            ) }}
            else {{ money(
                divide_money('annual_quota * month_of_year', '12')
                ~ ' - ' ~ divide_money('annual_quota * (month_of_year - 1)', '12')
            ) }}
        end as full_monthly_quota
    from seasoned

),

with_factors as (

    select
        full_monthly.*,
        coalesce(eligible.eligible_days, 0) as eligible_days
    from full_monthly
    left join eligible
        on full_monthly.employee_id = eligible.employee_id
        and full_monthly.period = eligible.period

),

final as (

    select
        ----------  ids
        employee_id,
        period,
        plan_year,
        quarter,
        month_of_year,
        plan_id,

        ----------  factors
        seasonality_profile,
        {{ money('seasonality_weight') }} as seasonality_weight,
        employment_month,
        {{ money('ramp_factor') }} as ramp_factor,
        cast(eligible_days as {{ dbt.type_int() }}) as eligible_days,
        days_in_month,
        {{ divide_money('eligible_days', 'days_in_month') }} as proration_factor,

        ----------  amounts
        annual_quota,
        full_monthly_quota,
        {{ divide_money('full_monthly_quota * ramp_factor * eligible_days', 'days_in_month') }} as monthly_quota,
        currency

    from with_factors

)

select * from final
