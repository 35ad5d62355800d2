-- Quota per payee and period (SPEC §4), from int_quota_months_prorated:
-- seasonality, new-hire ramp and proration by eligible days. Quarter and
-- year-to-date quotas are sums of the monthly ones (SPEC §4):
--   quota_qtd      months of the quarter up to and including the period
--   quota_quarter  all months of the period's quarter
--   quota_ytd      months of the plan year up to and including the period
with

months as (

    select * from {{ ref('int_quota_months_prorated') }}

),

summed as (

    select
        *,
        sum(monthly_quota) over (
            partition by employee_id, quarter
            order by period
            rows between unbounded preceding and current row
        ) as quota_qtd,
        sum(monthly_quota) over (partition by employee_id, quarter) as quota_quarter,
        sum(monthly_quota) over (
            partition by employee_id, plan_year
            order by period
            rows between unbounded preceding and current row
        ) as quota_ytd
    from months

),

final as (

    select
        ----------  ids
        employee_id,
        period,
        plan_year,
        quarter,
        plan_id,

        ----------  factors
        seasonality_profile,
        seasonality_weight,
        employment_month,
        ramp_factor,
        eligible_days,
        days_in_month,
        proration_factor,

        ----------  amounts
        annual_quota,
        full_monthly_quota,
        monthly_quota,
        {{ money('quota_qtd') }} as quota_qtd,
        {{ money('quota_quarter') }} as quota_quarter,
        {{ money('quota_ytd') }} as quota_ytd,
        currency

    from summed

)

select * from final
