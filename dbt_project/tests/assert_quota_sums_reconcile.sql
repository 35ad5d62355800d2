-- Quota sums (SPEC §4): quarter and year-to-date quotas are sums of the monthly
-- ones, and without a seasonality profile the twelve full monthly quotas add
-- up to exactly the annual quota. Returns the payee-years that do not.

-- Dagster shows this test as an asset check of fct_quota.
{{ config(meta={'dagster': {'ref': {'name': 'fct_quota'}}}) }}

with

quota as (

    select * from {{ ref('fct_quota') }}

),

per_year as (

    select
        employee_id,
        plan_year,
        min(annual_quota) as annual_quota,
        max(seasonality_profile) as seasonality_profile,
        count(*) as month_count,
        sum(full_monthly_quota) as full_total,
        sum(monthly_quota) as monthly_total,
        max(case when period = (select max(q2.period) from quota as q2
            where q2.employee_id = quota.employee_id and q2.plan_year = quota.plan_year) then quota_ytd end)
            as quota_ytd_last
    from quota
    group by employee_id, plan_year

),

per_quarter as (

    select
        employee_id,
        quarter,
        sum(monthly_quota) as monthly_total,
        min(quota_quarter) as quota_quarter_min,
        max(quota_quarter) as quota_quarter_max
    from quota
    group by employee_id, quarter

)

select employee_id, cast(plan_year as {{ dbt.type_string() }}) as period_key, 'year' as failed_check
from per_year
where quota_ytd_last <> monthly_total
    or (seasonality_profile is null and month_count = 12 and full_total <> annual_quota)

union all

select employee_id, quarter as period_key, 'quarter' as failed_check
from per_quarter
where quota_quarter_min <> monthly_total
    or quota_quarter_max <> monthly_total
