-- A payout line is booked to a cost center of the country whose payroll pays it
-- (docs/payout_extract.md "Pay dates"; issue #16): returns the paid lines whose cost
-- center's country (config cost_centers.csv) differs from the payee's payroll country
-- (HR country, XX without one). A warning: the pay is right, the books of two countries
-- disagree. Cost centers the configuration does not list are not judged.

-- Dagster shows this test as an asset check of fct_payout_file_line.
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'fct_payout_file_line'}}}) }}

select
    lines.period,
    lines.employee_id,
    lines.earning_code,
    lines.currency,
    lines.cost_center,
    cost_centers.country as cost_center_country,
    {{ payroll_country('lines.country') }} as payroll_country
from {{ ref('fct_payout_file_line') }} as lines
inner join {{ ref('stg_config__cost_centers') }} as cost_centers
    on lines.cost_center = cost_centers.cost_center
where lines.is_paid
    and cost_centers.country <> {{ payroll_country('lines.country') }}
