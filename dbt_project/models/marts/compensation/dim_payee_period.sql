-- One row per HR worker and period: the effective-dated HR fields as of the
-- month's last day (manager, job family, cost center). The rule is in
-- int_payee_period_hr; payout files, statements and the ledger read this mart.
-- A view of int_payee_period_hr, whose data tests guard these rows.
select * from {{ ref('int_payee_period_hr') }}
