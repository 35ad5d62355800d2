-- Attainment reconciliation (SPEC §1, §4): every payee-period with a quota
-- (fct_quota) has exactly one fct_attainment row, no attainment row lacks a
-- quota, and the row carries that quota and the payee's own credit of the
-- period (owner and split rows of fct_credit; 0 without credit).
-- Returns the payee-periods that do not reconcile.

-- Dagster shows this test as an asset check of fct_attainment.
{{ config(meta={'dagster': {'ref': {'name': 'fct_attainment'}}}) }}

with

quotas as (

    select * from {{ ref('fct_quota') }}

),

attainment as (

    select
        employee_id,
        period,
        count(*) as row_count,
        min(quota_period) as quota_period,
        min(credit_period) as credit_period
    from {{ ref('fct_attainment') }}
    group by employee_id, period

),

own_credit as (

    select employee_id, period, sum(credit_amount) as credit_amount
    from {{ ref('fct_credit') }}
    where credit_type in ('owner', 'split')
    group by employee_id, period

)

select
    coalesce(quotas.employee_id, attainment.employee_id) as employee_id,
    coalesce(quotas.period, attainment.period) as period,
    coalesce(attainment.row_count, 0) as attainment_rows,
    quotas.monthly_quota,
    attainment.quota_period,
    coalesce(own_credit.credit_amount, 0) as own_credit,
    attainment.credit_period
from quotas
full outer join attainment
    on quotas.employee_id = attainment.employee_id
    and quotas.period = attainment.period
left join own_credit
    on coalesce(quotas.employee_id, attainment.employee_id) = own_credit.employee_id
    and coalesce(quotas.period, attainment.period) = own_credit.period
where quotas.employee_id is null
    or attainment.employee_id is null
    or attainment.row_count <> 1
    or attainment.quota_period <> quotas.monthly_quota
    or attainment.credit_period <> coalesce(own_credit.credit_amount, 0)
