-- The payrolls the payroll files are written for (docs/payroll.md): one row per HR
-- country of config payrolls.csv that breaks no rule (int_payrolls_validated). A
-- country without a row gets the generic payroll files only. Read by the payout
-- extract and the publication (assets/payouts/warehouse.py).
select
    country,
    adapter,
    company_code,
    batch_id
from {{ ref('int_payrolls_validated') }}
where quarantine_rule is null
