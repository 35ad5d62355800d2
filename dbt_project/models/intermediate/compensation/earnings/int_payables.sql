-- Payable lines per payee, period, earning code and plan (SPEC §5-§6): what a
-- pay period pays of the calculated earnings, draws and balances, never a
-- negative total.
--
-- fct_payee_balance rolls the payee's month: payable = max(0, earnings +
-- balance) (at least the draw), the rest carried as a balance. The lines say
-- which amounts make up that payable, using only the earning codes of the list
-- (docs/ledger.md); a component with release on_invoice_paid pays its deals'
-- earnings as COMMISSION_RELEASE lines when the invoices are paid
-- (int_earning_hold_lines, docs/payment_workflow.md):
--   * a positive earnings line (COMMISSION, BONUS, SPIF, MANUAL_ADJUSTMENT: an
--     approved manual adjustment, int_manual_adjustment_lines) and the DRAW top-up
--     are paid in their period, in full;
--   * a negative earnings line (a to-date true-up that fell) and, for a
--     recoverable draw, the draw paid (DRAW_RECOVERY) are deductions. A period
--     deducts as much as its positive lines cover; what they do not cover is
--     carried and deducted from later periods, first in, first out (by period,
--     then earnings before draw recoveries, then earning code and plan), under
--     its own earning code and plan.
-- The amount a period deducts is the roll's: recovered(t) = positive lines(t)
-- + draw(t) - payable(t); it is spread over the deductions in order with
-- cumulative sums (a deduction's part taken up to t = its share of the payee's
-- cumulative recovered amount), so each line is exact and the lines of a payee
-- and period add up to fct_payee_balance.payable_amount >= 0, while the
-- deductions not yet taken add up to -balance_out.
-- Worked example (tests/compensation/test_dbt_earnings.py): COMMISSION -350.00 in February
-- (a year-to-date true-up) with nothing else pays nothing in February; March's
-- COMMISSION line of 1,000.00 and the carried February line of -350.00 pay 650.00.
-- Amounts are in the currency's minor unit already (fct_commission telescopes
-- the rounding), so the lines need no further rounding.
with

commission as (

    select * from {{ ref('int_commission') }}

),

balances as (

    select * from {{ ref('int_payee_balances_rolled') }}

),

-- per scenario in a payout forecast build (macros/forecast_scenarios.sql), as the payees are
manual_lines as (

    select * from {{ spm.per_scenario(ref('int_manual_adjustment_lines')) }}

),

payee_months as (

    select
        *,
        row_number() over (partition by employee_id order by period) as month_number
    from balances

),

earnings_lines as (

    -- the commission lines, less what a component paid when the invoice is paid
    -- holds, and the COMMISSION_RELEASE lines of the payments (int_earning_hold_lines)
    select
        employee_id,
        period,
        earning_code,
        currency,
        plan_id,
        {{ money('sum(earnings_amount)') }} as earnings_amount
    from (
        select employee_id, period, earning_code, currency, plan_id, commission_amount as earnings_amount
        from commission
        union all
        -- (a release in a month without a plan month of the payee is not rolled, hence not paid)
        select hold_lines.employee_id, hold_lines.period, hold_lines.earning_code, hold_lines.currency,
            hold_lines.plan_id, hold_lines.amount
        from {{ ref('int_earning_hold_lines') }} as hold_lines
        inner join payee_months
            on hold_lines.employee_id = payee_months.employee_id
            and hold_lines.period = payee_months.period
    ) as calculated
    group by employee_id, period, earning_code, currency, plan_id

    union all

    -- an approved manual adjustment, under the plan of the payee's month (one
    -- outside the payee's plan months is not rolled, hence not paid)
    select
        manual.employee_id,
        manual.period,
        manual.earning_code,
        manual.currency,
        payee_months.plan_id,
        manual.amount
    from manual_lines as manual
    inner join payee_months
        on manual.employee_id = payee_months.employee_id
        and manual.period = payee_months.period

),

-- what each payee month deducts (>= 0)
recovered as (

    select
        payee_months.employee_id,
        payee_months.period,
        payee_months.month_number,
        {{ money(
            'coalesce(sum(case when earnings_lines.earnings_amount > 0 then earnings_lines.earnings_amount end), 0)'
            ~ ' + payee_months.draw_amount - payee_months.payable_amount'
        ) }} as recovered_amount
    from payee_months
    left join earnings_lines
        on payee_months.employee_id = earnings_lines.employee_id
        and payee_months.period = earnings_lines.period
    group by payee_months.employee_id, payee_months.period, payee_months.month_number,
        payee_months.draw_amount, payee_months.payable_amount

),

recovered_to_date as (

    select
        *,
        sum(recovered_amount) over (
            partition by employee_id order by month_number rows between unbounded preceding and current row
        ) as recovered_through
    from recovered

),

-- the deductions, in the order they are taken
deductions as (

    select employee_id, period, 0 as kind_order, earning_code, currency, plan_id, -earnings_amount as deduction_amount
    from earnings_lines
    where earnings_amount < 0

    union all

    select employee_id, period, 1, 'DRAW_RECOVERY', currency, plan_id, draw_amount
    from payee_months
    where draw_type = 'recoverable' and draw_amount > 0

),

deductions_ordered as (

    select
        *,
        sum(deduction_amount) over (
            partition by employee_id order by period, kind_order, earning_code, plan_id
            rows between unbounded preceding and 1 preceding
        ) as deducted_before
    from deductions

),

-- each deduction's part taken up to each payee month from its own on
taken_through as (

    select
        deductions_ordered.employee_id,
        recovered_to_date.period,
        recovered_to_date.month_number,
        deductions_ordered.period as deduction_period,
        deductions_ordered.kind_order,
        deductions_ordered.earning_code,
        deductions_ordered.currency,
        deductions_ordered.plan_id,
        {{ money(
            'least(deductions_ordered.deduction_amount,'
            ~ ' greatest(0, recovered_to_date.recovered_through - coalesce(deductions_ordered.deducted_before, 0)))'
        ) }} as taken_through
    from deductions_ordered
    inner join recovered_to_date
        on deductions_ordered.employee_id = recovered_to_date.employee_id
        and recovered_to_date.period >= deductions_ordered.period

),

taken as (

    select
        *,
        {{ money(
            'taken_through - coalesce(lag(taken_through) over (partition by employee_id, deduction_period, kind_order,'
            ~ ' earning_code, plan_id order by month_number), 0)'
        ) }} as taken_amount
    from taken_through

),

lines as (

    -- earnings of the period: positive ones paid, negative ones as far as taken now
    select
        employee_id, period, earning_code, currency, plan_id,
        earnings_amount,
        {{ money('0') }} as draw_amount,
        {{ money('case when earnings_amount > 0 then earnings_amount else 0 end') }} as paid_amount
    from earnings_lines

    union all

    select
        employee_id, period, 'DRAW', currency, plan_id,
        {{ money('0') }}, draw_amount, draw_amount
    from payee_months
    where draw_amount <> 0

    -- deductions taken this period (this period's negative earnings, carried ones, draw recoveries)
    union all

    select
        employee_id, period, earning_code, currency, plan_id,
        {{ money('0') }}, {{ money('0') }}, {{ money('-taken_amount') }}
    from taken
    where taken_amount <> 0

),

grouped as (

    select
        employee_id,
        period,
        earning_code,
        currency,
        plan_id,
        {{ money('sum(earnings_amount)') }} as earnings_amount,
        {{ money('sum(draw_amount)') }} as draw_amount,
        {{ money('sum(paid_amount)') }} as payable_amount
    from lines
    group by employee_id, period, earning_code, currency, plan_id

),

final as (

    select
        ----------  ids
        grouped.employee_id,
        grouped.period,
        grouped.earning_code,
        grouped.currency,
        grouped.plan_id,

        ----------  amounts
        grouped.earnings_amount,
        grouped.draw_amount,
        {{ money('grouped.payable_amount - grouped.earnings_amount - grouped.draw_amount') }} as carried_amount,
        grouped.payable_amount,

        ----------  the payee's month
        balances.balance_in,
        balances.balance_out

    from grouped
    left join balances
        on grouped.employee_id = balances.employee_id
        and grouped.period = balances.period

)

select * from final
