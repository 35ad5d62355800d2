-- Payable lines per payee, period and earning code (SPEC §5-§6): the month's
-- earnings by earning code (fct_commission), the DRAW top-up, and the balance
-- movement of fct_payee_balance:
--   DRAW_RECOVERY   (negative) earnings withheld to repay a recoverable draw balance;
--   BALANCE_CARRIED (signed)   otherwise: positive when negative earnings are not
--                   paid but carried forward, negative when a carried negative
--                   balance is recovered from this month's earnings.
-- Earnings lines keep their plan (two lines for a mid-month plan change); DRAW
-- and balance lines carry the month's plan (the assignment that started last).
-- The lines of a payee and period add up to fct_payee_balance.payable_amount >= 0.
with

commission as (

    select * from {{ ref('fct_commission') }}

),

balances as (

    select * from {{ ref('fct_payee_balance') }}

),

earnings_lines as (

    select
        employee_id,
        period,
        earning_code,
        currency,
        plan_id,
        sum(commission_amount) as earnings_amount,
        {{ money('0') }} as draw_amount,
        {{ money('0') }} as balance_amount
    from commission
    group by employee_id, period, earning_code, currency, plan_id

),

draw_lines as (

    select
        employee_id,
        period,
        'DRAW' as earning_code,
        currency,
        plan_id,
        {{ money('0') }} as earnings_amount,
        draw_amount,
        {{ money('0') }} as balance_amount
    from balances
    where draw_amount <> 0

),

balance_lines as (

    select
        employee_id,
        period,
        case
            when balance_movement < 0 and draw_type = 'recoverable' then 'DRAW_RECOVERY'
            else 'BALANCE_CARRIED'
        end as earning_code,
        currency,
        plan_id,
        {{ money('0') }} as earnings_amount,
        {{ money('0') }} as draw_amount,
        balance_movement as balance_amount
    from balances
    where balance_movement <> 0

),

lines as (

    select * from earnings_lines
    union all
    select * from draw_lines
    union all
    select * from balance_lines

),

final as (

    select
        ----------  ids
        lines.employee_id,
        lines.period,
        lines.earning_code,
        lines.currency,
        lines.plan_id,

        ----------  amounts
        {{ money('lines.earnings_amount') }} as earnings_amount,
        {{ money('lines.draw_amount') }} as draw_amount,
        {{ money('lines.balance_amount') }} as balance_amount,
        {{ money('lines.earnings_amount + lines.draw_amount + lines.balance_amount') }} as payable_amount,

        ----------  the payee's month
        balances.balance_in,
        balances.balance_out

    from lines
    left join balances
        on lines.employee_id = balances.employee_id
        and lines.period = balances.period

)

select * from final
