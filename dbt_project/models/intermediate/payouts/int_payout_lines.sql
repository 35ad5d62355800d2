-- Everything a pay period's payout file pays (SPEC §5-§6): the period's
-- calculated lines (fct_payable: earnings, draws, deductions) and the retro
-- ADJUSTMENT / CLAWBACK lines against what earlier periods published
-- (fct_payout_adjustment). The payout extract and the publish job read this
-- model.
-- Never negative pay: per payee, period and currency, a retro line that takes
-- back (negative) is paid only as far as the payee's other lines of the period
-- cover it, CLAWBACK first, then ADJUSTMENT; the rest is not paid now
-- (carried_amount) and, since fct_payout_adjustment owes cumulatively what was
-- not paid, comes back in the next file. Example: a payee whose only line is
-- CLAWBACK -5,000.00 is paid nothing (the line pays 0.00 and is left out of the
-- files); with COMMISSION 1,000.00 beside it the file pays COMMISSION 1,000.00
-- and CLAWBACK -1,000.00, and the next period owes CLAWBACK -4,000.00.
-- A MANUAL_ADJUSTMENT line (an approved manual adjustment, paid like an earning
-- of its period by fct_payable) carries the adjustments' reasons.
-- Amounts are in the currency's minor unit.
with

payable as (

    select * from {{ ref('int_payables') }}

),

adjustments as (

    select * from {{ ref('int_payout_adjustments') }}

),

-- the reasons of the period's approved manual adjustments (the MANUAL_ADJUSTMENT
-- line of fct_payable, docs/payment_workflow.md)
manual as (

    select * from {{ ref('int_manual_adjustment_lines') }}

),

-- what the payee's lines of the period pay before the retro deductions (>= 0)
available as (

    select employee_id, period, currency, sum(amount) as available_amount
    from (
        select employee_id, period, currency, payable_amount as amount from payable
        union all
        select employee_id, period, currency, amount from adjustments where amount > 0
    ) as positive_lines
    group by employee_id, period, currency

),

deductions as (

    select
        adjustments.*,
        coalesce(
            sum(-adjustments.amount) over (
                partition by adjustments.employee_id, adjustments.period, adjustments.currency
                order by case adjustments.earning_code when 'CLAWBACK' then 0 else 1 end
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as deducted_before
    from adjustments
    where adjustments.amount < 0

),

adjustment_lines as (

    select
        adjustments.employee_id,
        adjustments.period,
        adjustments.earning_code,
        adjustments.currency,
        adjustments.plan_id,
        adjustments.reason,
        adjustments.deal_ids,
        adjustments.amount as owed_amount,
        case
            when adjustments.amount >= 0 then adjustments.amount
            else -least(
                -adjustments.amount,
                greatest(0, coalesce(available.available_amount, 0) - deductions.deducted_before)
            )
        end as amount
    from adjustments
    left join deductions
        on adjustments.employee_id = deductions.employee_id
        and adjustments.period = deductions.period
        and adjustments.currency = deductions.currency
        and adjustments.earning_code = deductions.earning_code
    left join available
        on adjustments.employee_id = available.employee_id
        and adjustments.period = available.period
        and adjustments.currency = available.currency

),

final as (

    select
        payable.employee_id,
        payable.period,
        payable.earning_code,
        payable.currency,
        payable.plan_id,
        payable.payable_amount as amount,
        {{ money('0') }} as carried_amount,
        manual.reason,
        cast(null as {{ dbt.type_string() }}) as deal_ids,
        'calculated' as line_type
    from payable
    left join manual
        on payable.employee_id = manual.employee_id
        and payable.period = manual.period
        and payable.currency = manual.currency
        and payable.earning_code = manual.earning_code

    union all

    select
        employee_id,
        period,
        earning_code,
        currency,
        plan_id,
        {{ money('amount') }},
        {{ money('owed_amount - amount') }},
        reason,
        deal_ids,
        'adjustment' as line_type
    from adjustment_lines

)

select * from final
