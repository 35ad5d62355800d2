-- What the month-end accrual of a period accrues (docs/journals.md): what that
-- period's payout file pays, one row per payout line (payee x period x earning
-- code x currency), each line rounded once, half away from zero, to the
-- currency's minor unit:
--   published period    the newest published version's lines as paid
--                       (int_ledger_published_lines: the paid amount, its exact
--                       amount, the cost center the file put it under). A late
--                       deal or clawback never restates a published month's
--                       accrual: it is paid, and accrued, in the open period;
--   unpublished period  the file's lines as int_payout_file_lines has them (the
--                       one place payout lines are summed and rounded; the
--                       payout extract writes its paid rows), a retro line of
--                       0.00 left out, a calculated one of 0.00 kept (it
--                       accrues nothing; it counts as a source row),
--                       under the cost center in effect in the period. The retro
--                       ADJUSTMENT / CLAWBACK lines count in the open period only
--                       (the first period after the newest published one, the
--                       next to be paid): fct_payout_adjustment proposes them for
--                       every later period too, but only one period pays them.
-- The accrual journal is a sum of these rounded amounts, so it balances exactly
-- and its Accrued commissions credit equals the period's payout file total per
-- cost center.
-- account_role: the debit side of the line --
--   commission_advances  DRAW of a recoverable draw (an advance recovered from
--                        later earnings) and DRAW_RECOVERY (its recovery);
--   held_commissions     COMMISSION_RELEASE: earnings held until the invoice is
--                        paid were expensed when earned (fct_journal_line, from
--                        int_earning_holds); their release moves the held
--                        liability to accrued commissions;
--   commission_expense   every other earning code (COMMISSION, BONUS, SPIF, the
--                        DRAW of a non-recoverable draw, ADJUSTMENT, CLAWBACK).
-- The accrual is settled on the line's pay date: a calculated line's is the payout
-- file's (int_payout_file_lines: the pay calendar of the payee's payroll country, the
-- 15th of the following month or the business day before it), a published line's
-- the date it was published with.
with

file_line as (

    select * from {{ ref('int_payout_file_lines') }}

),

published_lines as (

    select * from {{ ref('int_ledger_published_lines') }}
    where is_latest_version

),

publications as (

    select * from {{ ref('int_ledger_publications') }}

),

balances as (

    select * from {{ ref('int_payee_balances_rolled') }}

),

payee_periods as (

    select * from {{ ref('int_payee_period_hr') }}

),

periods as (

    select * from {{ ref('int_periods') }}

),

published_periods as (

    select distinct period from publications

),

-- the first period after the newest published one: the next payout file, which
-- pays the retro ADJUSTMENT / CLAWBACK lines
open_period as (

    select min(file_line.period) as period
    from file_line
    where file_line.period > (select max(period) from publications)

),

calculated as (

    select file_line.*
    from file_line
    left join published_periods
        on file_line.period = published_periods.period
    left join open_period
        on file_line.period = open_period.period
    -- a retro line of 0.00 is no line of the file; a calculated line of 0.00 (a gated
    -- commission, a deduction carried whole) is kept as a source row accruing 0.00
    -- (docs/journals.md: it counts in fct_journal_line.source_line_count)
    where (file_line.is_paid or file_line.line_type = 'calculated')
        and published_periods.period is null
        and (file_line.line_type = 'calculated' or open_period.period is not null)

),

lines as (

    select
        calculated.employee_id,
        calculated.period,
        calculated.earning_code,
        calculated.currency,
        calculated.cost_center,
        calculated.pay_date,
        'fct_payout_line' as source_model,
        cast(null as {{ dbt.type_int() }}) as published_version,
        calculated.source_line_count,
        calculated.exact_amount,
        calculated.amount
    from calculated

    union all

    select
        published_lines.employee_id,
        published_lines.period,
        published_lines.earning_code,
        published_lines.currency,
        coalesce(published_lines.cost_center, payee_periods.cost_center),
        published_lines.pay_date,
        'int_ledger_published_lines',
        published_lines.version,
        1,
        {{ money('published_lines.exact_amount') }},
        {{ money('published_lines.amount') }}
    from published_lines
    left join payee_periods
        on published_lines.employee_id = payee_periods.employee_id
        and published_lines.period = payee_periods.period

),

final as (

    select
        ----------  ids
        lines.employee_id,
        lines.period,
        lines.earning_code,
        lines.currency,
        coalesce(lines.cost_center, {{ unassigned_cost_center() }}) as cost_center,

        ----------  accounting
        case
            when lines.earning_code = 'DRAW_RECOVERY' then 'commission_advances'
            when lines.earning_code = 'DRAW' and balances.draw_type = 'recoverable' then 'commission_advances'
            -- expensed when earned and held (fct_journal_line): the release settles the held liability
            when lines.earning_code = 'COMMISSION_RELEASE' then 'held_commissions'
            else 'commission_expense'
        end as account_role,
        periods.period_end as accrual_date,
        lines.pay_date,

        ----------  amounts
        lines.exact_amount as payable_amount,
        lines.amount as accrued_amount,

        ----------  where it comes from
        lines.source_model,
        lines.published_version,
        lines.source_line_count as source_row_count

    from lines
    inner join periods
        on lines.period = periods.period
    left join balances
        on lines.employee_id = balances.employee_id
        and lines.period = balances.period
        and lines.earning_code = 'DRAW'

)

select * from final
