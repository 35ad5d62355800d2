-- Inquiries (config inquiries.csv, docs/payment_workflow.md) with the warehouse
-- rule a row breaks, if any (the landing contract already quarantined rows with
-- an unknown category or status, a resolved or rejected one without resolved_at,
-- or resolved_at before opened_at):
--   inquiry_without_hr_worker   the employee is not an HR worker
-- Rows with a quarantine_rule are listed in fct_quarantine
-- (int_config_rows_quarantined) and are not in fct_inquiry.
with

inquiries as (

    select * from {{ ref('stg_config__inquiries') }}

),

payees as (

    select * from {{ ref('int_payees') }}

)

select
    inquiries.*,
    payees.currency as payee_currency,
    case
        when payees.employee_id is null then 'inquiry_without_hr_worker'
    end as quarantine_rule
from inquiries
left join payees
    on inquiries.employee_id = payees.employee_id
