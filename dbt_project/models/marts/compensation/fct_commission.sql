-- Commission earned per payee, period and plan component (SPEC §5), at full
-- precision: rounding happens once per payout line, in the payout extract.
-- Today's rule: components measuring own credit with a flat rate pay
-- credit * rate on the period's credit under the plan the payee was on at each
-- credit date. Credits with no plan are quarantined (no_plan_assignment).
with

credits as (

    select * from {{ ref('int_credits_assigned_to_plans') }}
    where plan_id is not null

),

components as (

    select * from {{ ref('stg_config__plan_components') }}
    where measure = 'own_credit'
        and rule_type = 'flat_rate'

),

credit_per_plan_period as (

    select
        employee_id,
        period,
        plan_id,
        payee_currency as currency,
        sum(credit_amount) as credit_amount,
        count(distinct opportunity_id) as deal_count
    from credits
    group by employee_id, period, plan_id, payee_currency

),

final as (

    select
        ----------  ids
        credit_per_plan_period.employee_id,
        credit_per_plan_period.period,
        credit_per_plan_period.plan_id,
        components.component_id,
        components.earning_code,

        ----------  amounts
        credit_per_plan_period.currency,
        {{ money('credit_per_plan_period.credit_amount') }} as credit_amount,
        components.rate,
        {{ money('credit_per_plan_period.credit_amount * components.rate') }} as commission_amount,
        credit_per_plan_period.deal_count

    from credit_per_plan_period
    inner join components
        on credit_per_plan_period.plan_id = components.plan_id

)

select * from final
