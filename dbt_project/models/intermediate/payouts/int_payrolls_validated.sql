-- Payrolls (config payrolls.csv, docs/payroll.md) with the rule a row breaks, if any:
--   unknown_payroll_adapter   adapter is not one of var payroll_adapters
--   missing_company_code      an ADP payroll without its Co Code or Batch ID (the
--                             first two columns of every ADP paydata row)
-- Rows with a quarantine_rule are listed in fct_quarantine (int_config_rows_quarantined)
-- and not used (dim_payroll): the country gets the generic payroll files only.
{%- set adapters = var('payroll_adapters') %}
with

payrolls as (

    select * from {{ ref('stg_config__payrolls') }}

)

select
    payrolls.*,
    case
        when adapter not in ('{{ adapters | join("', '") }}') then 'unknown_payroll_adapter'
        when adapter = 'adp' and (coalesce(company_code, '') = '' or coalesce(batch_id, '') = '') then 'missing_company_code'
    end as quarantine_rule
from payrolls
