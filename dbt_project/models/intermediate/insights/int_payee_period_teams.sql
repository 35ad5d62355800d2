-- The team of every HR worker in every month: their manager as of the month's
-- last day (int_manager_intervals, the effective-dated HR chain). Insight
-- marts group by this team.
select
    workers.employee_id,
    periods.period,
    periods.period_end,
    intervals.manager_employee_id as team_manager_employee_id
from {{ ref('stg_workday__workers') }} as workers
cross join {{ ref('dim_period') }} as periods
left join {{ ref('int_manager_intervals') }} as intervals
    on workers.employee_id = intervals.employee_id
    and intervals.valid_from <= periods.period_end
    and periods.period_end < intervals.valid_to
