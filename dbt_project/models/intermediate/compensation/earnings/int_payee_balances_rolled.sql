-- Draws and the negative balance (SPEC §5), month by month per payee: a
-- sequential carry-forward, done as a recursive CTE over the payee's months
-- (portable SQL; one row per payee and month, so the recursion is as deep as
-- the months a payee has been on a plan).
--   available   = balance carried in (<= 0) + the month's total earnings
--   base pay    = max(0, available)
--   draw        = in the first draw_months months of the payee's plan
--                 assignment: max(0, draw_monthly_amount - base pay) (the DRAW line)
--   payable     = base pay + draw  (never negative)
--   balance out = recoverable draw : available - payable (the draw shortfall is owed)
--                 otherwise        : min(0, available) (non-recoverable shortfall forgiven;
--                                    negative earnings still carry)
-- A balance is recovered from later earnings above zero; what is left at a
-- termination stays in balance_out for finance to see. A held earning
-- (int_earning_hold_lines) leaves its month and its release counts in the
-- month the payment lands (not rolled, hence not paid, in a month without a
-- plan month of the payee). A manual adjustment
-- (int_manual_adjustment_lines) counts as an earning of its month; one in a
-- month without a plan month of the payee is not rolled (and not paid: it is
-- quarantined as adjustment_outside_plan_assignment). Earnings are in the
-- currency's minor unit (fct_commission) and the draw is rounded to it, so
-- every amount of the roll is too. fct_payable says which lines make up the
-- payable and which deductions are carried.
-- The month's plan (for the draw) is the usable assignment with an eligible
-- segment (int_plan_assignment_segments: the job family may be paid under the
-- plan) in the month that started last; month k of the assignment counts from
-- its start month.
with recursive

assignments as (

    select * from {{ spm.per_scenario(ref('int_plan_assignment_segments')) }}
    where is_eligible

),

plans as (

    select * from {{ ref('stg_config__plans') }}

),

periods as (

    select * from {{ ref('int_periods') }}

),

payees as (

    select * from {{ spm.per_scenario(ref('int_payees')) }}

),

-- the approved manual adjustments (docs/payment_workflow.md), per scenario in a
-- payout forecast build (macros/forecast_scenarios.sql), as the payees are
manual_lines as (

    select * from {{ spm.per_scenario(ref('int_manual_adjustment_lines')) }}

),

-- the month's earnings: the commission lines, the approved manual adjustments
-- (int_manual_adjustment_lines) and the holds and releases of components paid
-- when the invoice is paid (int_earning_hold_lines; docs/payment_workflow.md)
commission as (

    select employee_id, period, sum(earnings_amount) as earnings_amount
    from (
        select employee_id, period, commission_amount as earnings_amount
        from {{ ref('int_commission') }}
        union all
        select employee_id, period, amount
        from manual_lines
        union all
        -- held earnings out of their month, releases into theirs (int_earning_hold_lines)
        select employee_id, period, amount
        from {{ ref('int_earning_hold_lines') }}
    ) as month_earnings
    group by employee_id, period

),

assignment_months as (

    select
        assignments.employee_id,
        periods.period,
        assignments.plan_id,
        ({{ dbt.datediff(dbt.date_trunc('month', 'assignments.start_date'), 'periods.period_start', 'month') }}) + 1
            as month_of_assignment,
        row_number() over (
            partition by assignments.employee_id, periods.period
            order by assignments.start_date desc
        ) as assignment_rank
    from assignments
    inner join periods
        on periods.period_start <= assignments.segment_end_or_open
        and periods.period_end >= assignments.segment_start

),

payee_months as (

    select
        assignment_months.employee_id,
        assignment_months.period,
        assignment_months.plan_id,
        payees.currency,
        {{ money('coalesce(commission.earnings_amount, 0)') }} as earnings_amount,
        case when plans.draw_type in ('recoverable', 'non_recoverable') then plans.draw_type end as draw_type,
        {{ money(
            "case when plans.draw_type in ('recoverable', 'non_recoverable')"
            ~ " and assignment_months.month_of_assignment <= coalesce(plans.draw_months, 0)"
            ~ " then " ~ round_to_minor_unit('coalesce(plans.draw_monthly_amount, 0)', 'payees.currency') ~ " else 0 end"
        ) }} as draw_guarantee,
        row_number() over (partition by assignment_months.employee_id order by assignment_months.period)
            as month_number
    from assignment_months
    inner join payees
        on assignment_months.employee_id = payees.employee_id
    inner join plans
        on assignment_months.plan_id = plans.plan_id
    left join commission
        on assignment_months.employee_id = commission.employee_id
        and assignment_months.period = commission.period
    where assignment_months.assignment_rank = 1

),


rolled (employee_id, period, plan_id, currency, earnings_amount, draw_type, draw_guarantee, month_number,
        balance_in, draw_amount, payable_amount, balance_out) as (

    select
        employee_id, period, plan_id, currency, earnings_amount, draw_type, draw_guarantee, month_number,
        {{ money('0') }},
        {{ money('greatest(0, draw_guarantee - greatest(0, earnings_amount))') }},
        {{ money('greatest(greatest(0, earnings_amount), draw_guarantee)') }},
        {{ money(
            "case when draw_type = 'recoverable'"
            ~ " then earnings_amount - greatest(greatest(0, earnings_amount), draw_guarantee)"
            ~ " else least(0, earnings_amount) end"
        ) }}
    from payee_months
    where month_number = 1

    union all

    select
        nxt.employee_id, nxt.period, nxt.plan_id, nxt.currency, nxt.earnings_amount, nxt.draw_type,
        nxt.draw_guarantee, nxt.month_number,
        prev.balance_out,
        {{ money('greatest(0, nxt.draw_guarantee - greatest(0, prev.balance_out + nxt.earnings_amount))') }},
        {{ money('greatest(greatest(0, prev.balance_out + nxt.earnings_amount), nxt.draw_guarantee)') }},
        {{ money(
            "case when nxt.draw_type = 'recoverable'"
            ~ " then prev.balance_out + nxt.earnings_amount"
            ~ " - greatest(greatest(0, prev.balance_out + nxt.earnings_amount), nxt.draw_guarantee)"
            ~ " else least(0, prev.balance_out + nxt.earnings_amount) end"
        ) }}
    from rolled as prev
    inner join payee_months as nxt
        on prev.employee_id = nxt.employee_id
        and nxt.month_number = prev.month_number + 1

),

final as (

    select
        ----------  ids
        employee_id,
        period,
        plan_id,
        currency,
        draw_type,

        ----------  amounts
        earnings_amount,
        balance_in,
        draw_guarantee,
        draw_amount,
        payable_amount,
        balance_out,
        {{ money('payable_amount - earnings_amount - draw_amount') }} as balance_movement

    from rolled

)

select * from final
