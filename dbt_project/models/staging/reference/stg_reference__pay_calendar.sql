-- The pay calendar (assets/payouts/pay_calendar.py, docs/payout_extract.md "Pay dates"):
-- one row per payroll country and period, the day its payouts are paid.
select
    country,
    period,
    cast(scheduled_pay_date as date) as scheduled_pay_date,
    cast(pay_date as date) as pay_date,
    moved_because,
    holiday_calendar
from {{ source('reference', 'pay_calendar') }}
