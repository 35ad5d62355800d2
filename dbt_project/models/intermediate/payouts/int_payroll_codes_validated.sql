-- The earning-code map (config payroll_codes.csv, docs/payroll.md) with the rule a
-- row breaks, if any:
--   unknown_payroll_adapter   adapter is not one of var payroll_adapters
--   unknown_earning_code      earning_code is not one of var earning_codes
--   unknown_gusto_column      a Gusto code that is not a column of the Gusto file
--                             (var gusto_payroll_codes: bonus, commission)
-- Rows with a quarantine_rule are listed in fct_quarantine (int_config_rows_quarantined)
-- and not used (dim_payroll_code): a code the period pays that is left unmapped
-- stops the payroll files (assets/payouts/payroll_layouts.py).
{%- set adapters = var('payroll_adapters') %}
{%- set codes = var('earning_codes') %}
{%- set gusto = var('gusto_payroll_codes') %}
with

codes as (

    select * from {{ ref('stg_config__payroll_codes') }}

)

select
    codes.*,
    case
        when adapter not in ('{{ adapters | join("', '") }}') then 'unknown_payroll_adapter'
        when earning_code not in ('{{ codes | join("', '") }}') then 'unknown_earning_code'
        when adapter = 'gusto' and lower(payroll_code) not in ('{{ gusto | join("', '") }}') then 'unknown_gusto_column'
    end as quarantine_rule
from codes
