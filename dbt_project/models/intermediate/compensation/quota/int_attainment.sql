-- Attainment per payee and period with a quota: credit / quota for the period,
-- quarter-to-date and year-to-date within the plan year (SPEC §1). Quota and
-- credit are both in the payee's currency; credit is the payee's own credit
-- (owner and split rows of fct_credit, roll-up credit is not counted).
-- attainment is null when the quota is 0 (e.g. months before the hire date).
with

quotas as (

    select * from {{ ref('int_quota_months') }}

),

credits as (

    select * from {{ ref('int_credits') }}
    where credit_type in ('owner', 'split')

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
        quotas.quarter,
        quotas.currency,
        quotas.quota_qtd,
        quotas.quota_ytd,
        {{ money('coalesce(credit_per_period.credit_amount, 0)') }} as credit_period,
        quotas.monthly_quota as quota_period
    from quotas
    left join credit_per_period
        on quotas.employee_id = credit_per_period.employee_id
        and quotas.period = credit_per_period.period

)

{{ attainment_to_date('per_period') }}
