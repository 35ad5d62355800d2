-- Manual adjustments (config adjustments.csv, docs/payment_workflow.md) with the
-- warehouse rule a row breaks, if any (the landing contract already quarantined
-- rows without an approver, approved by their requester, or with a bad period,
-- amount, currency or approval time):
--   adjustment_without_hr_worker   the employee is not an HR worker
--   unknown_earning_code           earning_code is not one of var earning_codes
--   adjustment_currency_mismatch   the amount is not in the payee's currency
-- Rows with a quarantine_rule are listed in fct_quarantine
-- (int_config_rows_quarantined) and not paid; the others are summed per payee and
-- period into one MANUAL_ADJUSTMENT line (int_manual_adjustment_lines).
{%- set codes = var('earning_codes') %}
with

adjustments as (

    select * from {{ ref('stg_config__adjustments') }}

),

payees as (

    select * from {{ ref('int_payees') }}

)

select
    adjustments.*,
    payees.currency as payee_currency,
    case
        when payees.employee_id is null then 'adjustment_without_hr_worker'
        when adjustments.earning_code not in ('{{ codes | join("', '") }}') then 'unknown_earning_code'
        when adjustments.currency <> payees.currency then 'adjustment_currency_mismatch'
    end as quarantine_rule
from adjustments
left join payees
    on adjustments.employee_id = payees.employee_id
