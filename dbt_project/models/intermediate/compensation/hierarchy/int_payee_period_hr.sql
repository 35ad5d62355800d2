-- Every HR worker's effective-dated HR fields in every month, as of the month's
-- last day (int_manager_intervals: the job_history row in effect, else the
-- current HR record): manager, job family and cost center. A payee who moves
-- from cost center A to B on a day of month M is under A for the months before
-- M and under B from M on (M's last day is past the move). The payout files and
-- journals (cost center) and the insight teams (manager) read it.
select
    workers.employee_id,
    periods.period,
    periods.period_end,
    intervals.manager_employee_id,
    intervals.job_family,
    intervals.cost_center
from {{ ref('stg_workday__workers') }} as workers
cross join {{ ref('int_periods') }} as periods
left join {{ ref('int_manager_intervals') }} as intervals
    on workers.employee_id = intervals.employee_id
    and intervals.valid_from <= periods.period_end
    and periods.period_end < intervals.valid_to
