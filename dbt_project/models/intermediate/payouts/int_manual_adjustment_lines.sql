-- The approved manual adjustments of a payee and pay period as one
-- MANUAL_ADJUSTMENT amount (docs/payment_workflow.md): the valid rows of
-- int_manual_adjustments summed at full precision and rounded once, half away
-- from zero, to the currency's minor unit; their reasons distinct, sorted,
-- joined with ';'. The amount is an earning of the period like a commission
-- (int_payee_balances_rolled, int_payables): a positive one is paid in the
-- period, a negative one is a deduction taken as far as the period's other
-- lines cover it and carried to later periods otherwise (never negative pay).
with

adjustments as (

    select * from {{ ref('int_manual_adjustments') }}
    where quarantine_rule is null

),

summed as (

    select
        employee_id,
        period,
        currency,
        {{ money('sum(amount)') }} as exact_amount,
        {{ dbt.listagg('reason', "';'", 'order by reason') }} as reason,
        count(*) as adjustment_count
    from adjustments
    group by employee_id, period, currency

),

final as (

    select
        ----------  ids
        employee_id,
        period,
        'MANUAL_ADJUSTMENT' as earning_code,
        currency,

        ----------  amounts
        exact_amount,
        {{ round_to_minor_unit('exact_amount', 'currency') }} as amount,

        ----------  why
        reason,
        adjustment_count

    from summed

)

select * from final
