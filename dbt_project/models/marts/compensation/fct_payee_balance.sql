-- What each payee is paid per period in total, with draws and the carried
-- balance (SPEC §5 draws, negative balance): rules in int_payee_balances_rolled.
-- payable_amount >= 0 always; balance_out < 0 is owed by the payee and carried
-- into the next month (a terminated payee's last balance stays visible here).
-- A view of int_payee_balances_rolled, whose data tests guard these rows.
select * from {{ ref('int_payee_balances_rolled') }}
