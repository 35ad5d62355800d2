-- fct_payable's lines of a payee and period add up to the roll's payable
-- (fct_payee_balance), and the deductions not yet taken to -balance_out: the
-- lines and the balance tell the same story (docs/ledger.md).
{{ config(meta={'dagster': {'ref': {'name': 'fct_payable'}}}) }}
with lines as (
    select employee_id, period, sum(payable_amount) as payable_amount,
           sum(earnings_amount) as earnings_amount, sum(draw_amount) as draw_amount
    from {{ ref('fct_payable') }}
    group by employee_id, period
),

balances as (
    select * from {{ ref('fct_payee_balance') }}
),

to_date as (
    select
        balances.employee_id,
        balances.period,
        balances.payable_amount,
        coalesce(lines.payable_amount, 0) as lines_payable,
        balances.balance_out,
        balances.draw_type,
        -- everything owed back so far (negative earnings, recoverable draws) less what was taken
        sum(
            coalesce(lines.earnings_amount, 0)
            - coalesce(lines.payable_amount, 0)
        ) over (partition by balances.employee_id order by balances.period) as not_yet_taken
    from balances
    left join lines
        on balances.employee_id = lines.employee_id
        and balances.period = lines.period
),

-- a non-recoverable draw forgives its shortfall: the balance of such a payee is not the sum
forgiving as (
    select distinct employee_id from balances where draw_type = 'non_recoverable'
)

select *
from to_date
where payable_amount <> lines_payable
    or (employee_id not in (select employee_id from forgiving) and not_yet_taken <> balance_out)
