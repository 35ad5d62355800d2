-- The earning-code map (docs/payroll.md): per payroll adapter, the payroll's code of
-- each internal earning code, from the rows of config payroll_codes.csv that break no
-- rule (int_payroll_codes_validated). Gusto codes are lower case (the file's column
-- names). Read by the payout extract and the publication (assets/payouts/warehouse.py).
select
    adapter,
    earning_code,
    case when adapter = 'gusto' then lower(payroll_code) else payroll_code end as payroll_code
from {{ ref('int_payroll_codes_validated') }}
where quarantine_rule is null
