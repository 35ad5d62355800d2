-- SPEC §5, never negative pay: the lines a payout file pays a payee in a period
-- and currency add up to zero or more (fct_payable nets the calculated lines,
-- fct_payout_line the retro deductions).
select employee_id, period, currency, sum(amount) as total
from {{ ref('fct_payout_line') }}
group by employee_id, period, currency
having sum(amount) < 0
