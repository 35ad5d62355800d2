-- The team of every HR worker in every month: their manager as of the month's
-- last day (int_payee_period_hr, the effective-dated HR chain). Insight
-- marts group by this team.
select
    employee_id,
    period,
    period_end,
    manager_employee_id as team_manager_employee_id
from {{ ref('int_payee_period_hr') }}
