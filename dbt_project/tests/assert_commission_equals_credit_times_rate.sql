-- Commission = credit * rate (SPEC §5, flat rate on own credit): rebuilt from
-- fct_credit and the plan each credit falls under, every flat-rate own-credit
-- component gives exactly the fct_commission row, and no other row exists.
-- (exact_commission_amount; commission_amount is its rounding to the minor
-- unit, telescoped over the plan year). Returns the rows that differ.

-- Dagster shows this test as an asset check of fct_commission.
{{ config(meta={'dagster': {'ref': {'name': 'fct_commission'}}}) }}

with

credits as (

    select * from {{ ref('int_credits_assigned_to_plans') }}
    where plan_id is not null
        and credit_type in ('owner', 'split')  -- own credit; roll-up is its own measure

),

components as (

    select * from {{ ref('stg_config__plan_components') }} as plan_components
    where measure = 'own_credit' and rule_type = 'flat_rate' and basis = 'period' and cap_multiple_of_ti is null
        and not exists (
            select 1 from {{ ref('stg_config__plan_component_filters') }} as filters
            where filters.plan_id = plan_components.plan_id
                and filters.component_id = plan_components.component_id
        )

),

expected as (

    select
        credits.employee_id,
        credits.period,
        credits.plan_id,
        components.component_id,
        -- the credit the commission counts (a commission-only clawback leaves the credit booked)
        sum(credits.commission_credit_amount) as credit_amount,
        sum(credits.commission_credit_amount) * min(components.rate) as commission_amount
    from credits
    inner join components
        on credits.plan_id = components.plan_id
    group by credits.employee_id, credits.period, credits.plan_id, components.component_id
    -- a month whose only deal the commission no longer counts has no fct_commission row
    having sum(credits.commission_credit_amount) <> 0 or count(case when credits.commission_credit_amount > 0 then 1 end) > 0

),

actual as (

    select actual.* from {{ ref('fct_commission') }} as actual
    inner join components
        on actual.plan_id = components.plan_id
        and actual.component_id = components.component_id

)

select
    coalesce(expected.employee_id, actual.employee_id) as employee_id,
    coalesce(expected.period, actual.period) as period,
    coalesce(expected.plan_id, actual.plan_id) as plan_id,
    coalesce(expected.component_id, actual.component_id) as component_id,
    expected.credit_amount as expected_credit,
    actual.credit_amount as actual_credit,
    expected.commission_amount as expected_commission,
    actual.exact_commission_amount as actual_commission
from expected
full outer join actual
    on expected.employee_id = actual.employee_id
    and expected.period = actual.period
    and expected.plan_id = actual.plan_id
    and expected.component_id = actual.component_id
where expected.employee_id is null
    or actual.employee_id is null
    or expected.credit_amount <> actual.credit_amount
    or abs(expected.commission_amount - actual.exact_commission_amount) > 0.00000000005
