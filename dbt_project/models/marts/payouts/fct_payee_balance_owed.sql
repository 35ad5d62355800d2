-- What a payee still owes at the end of a period (SPEC §5: never negative pay;
-- a termination with a balance left is reported to finance, never silently
-- written off): per payee, period and currency, the balance the calculated lines
-- carry (fct_payee_balance.balance_out: negative earnings not yet deducted, a
-- recoverable draw not yet recovered) plus the retro deductions the period's
-- file could not take (fct_payout_line.carried_amount: CLAWBACK, ADJUSTMENT).
-- A row only where something is owed. is_terminated: the payee's employment
-- ended on or before the period's last day; the payout extract's manifest lists
-- those for finance (docs/ledger.md).
with

balances as (

    select employee_id, period, currency, balance_out as amount
    from {{ ref('int_payee_balances_rolled') }}
    where balance_out <> 0

),

carried as (

    select employee_id, period, currency, sum(carried_amount) as amount
    from {{ ref('int_payout_lines') }}
    where carried_amount <> 0
    group by employee_id, period, currency

),

owed as (

    select
        coalesce(balances.employee_id, carried.employee_id) as employee_id,
        coalesce(balances.period, carried.period) as period,
        coalesce(balances.currency, carried.currency) as currency,
        {{ money('coalesce(balances.amount, 0)') }} as calculated_balance,
        {{ money('coalesce(carried.amount, 0)') }} as retro_deductions_carried
    from balances
    full outer join carried
        on balances.employee_id = carried.employee_id
        and balances.period = carried.period
        and balances.currency = carried.currency

),

payees as (

    select * from {{ ref('int_payees') }}

),

periods as (

    select * from {{ ref('int_periods') }}

),

final as (

    select
        ----------  ids
        owed.employee_id,
        owed.period,
        owed.currency,

        ----------  amounts (negative: owed by the payee)
        owed.calculated_balance,
        owed.retro_deductions_carried,
        {{ money('owed.calculated_balance + owed.retro_deductions_carried') }} as balance_owed,

        ----------  the payee
        payees.termination_date,
        coalesce(payees.termination_date <= periods.period_end, false) as is_terminated

    from owed
    inner join periods
        on owed.period = periods.period
    left join payees
        on owed.employee_id = payees.employee_id

)

select * from final
