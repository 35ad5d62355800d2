-- The planning ramp (int_planning_payee_month_ramps) is the quota ramp of
-- SPEC §4: wherever fct_quota has the payee's month, the employment month,
-- the plan and the ramp factor agree.
select
    quota.employee_id,
    quota.period,
    quota.ramp_factor as quota_ramp_factor,
    planning.ramp_factor as planning_ramp_factor
from {{ ref('fct_quota') }} as quota
inner join {{ ref('int_planning_payee_month_ramps') }} as planning
    on quota.employee_id = planning.employee_id
    and quota.period = planning.period
where quota.ramp_factor <> planning.ramp_factor
    or quota.employment_month <> planning.employment_month
    -- fct_quota has no plan in a month whose assignment the engine refused
    -- (job family not eligible, int_plan_assignment_segments); planning does
    -- not apply that rule yet, so the plans are compared where the engine has one.
    or (quota.plan_id is not null and quota.plan_id <> coalesce(planning.plan_id, ''))
