-- What the month-end accrual accrues (docs/journals.md): one row per payout
-- line, i.e. payee x period x earning code x currency of fct_payable summed over
-- plans and rounded once, half away from zero, to the currency's minor unit,
-- exactly as the payout extract rounds it (assets/payouts/extract.py
-- payout_lines). The accrual journal of a period is a sum of these rounded
-- amounts, so it balances exactly and its Accrued commissions credit equals the
-- period's payout file total per cost center.
-- account_role: the debit side of the line --
--   commission_advances  DRAW of a recoverable draw (an advance recovered from
--                        later earnings), DRAW_RECOVERY and BALANCE_CARRIED
--                        (movements of what the payee owes);
--   commission_expense   every other earning code (COMMISSION, BONUS, SPIF, the
--                        DRAW of a non-recoverable draw, ADJUSTMENT, CLAWBACK).
-- The accrual is settled on the period's pay date (pay_date_of: the 15th of the
-- following month by default).
with

payable as (

    select * from {{ ref('fct_payable') }}

),

balances as (

    select * from {{ ref('fct_payee_balance') }}

),

payees as (

    select * from {{ ref('dim_payee') }}

),

periods as (

    select * from {{ ref('dim_period') }}

),

payout_lines as (

    select
        employee_id,
        period,
        earning_code,
        currency,
        count(*) as plan_line_count,
        {{ money('sum(payable_amount)') }} as payable_amount
    from payable
    group by employee_id, period, earning_code, currency

),

final as (

    select
        ----------  ids
        payout_lines.employee_id,
        payout_lines.period,
        payout_lines.earning_code,
        payout_lines.currency,
        coalesce(payees.cost_center, {{ unassigned_cost_center() }}) as cost_center,

        ----------  accounting
        case
            when payout_lines.earning_code in ('DRAW_RECOVERY', 'BALANCE_CARRIED') then 'commission_advances'
            when payout_lines.earning_code = 'DRAW' and balances.draw_type = 'recoverable' then 'commission_advances'
            else 'commission_expense'
        end as account_role,
        periods.period_end as accrual_date,
        {{ pay_date_of('periods.period_start') }} as pay_date,

        ----------  amounts
        payout_lines.payable_amount,
        {{ round_to_minor_unit('payout_lines.payable_amount', 'payout_lines.currency') }} as accrued_amount,
        payout_lines.plan_line_count

    from payout_lines
    inner join periods
        on payout_lines.period = periods.period
    left join payees
        on payout_lines.employee_id = payees.employee_id
    left join balances
        on payout_lines.employee_id = balances.employee_id
        and payout_lines.period = balances.period
        and payout_lines.earning_code = 'DRAW'

)

select * from final
