-- The new-hire ramp factor of every HR worker and month of dim_period, by the
-- rule of int_quota_months_prorated (SPEC §4), for months without a quota row
-- too (planning years have no quotas yet): employment_month k = months since
-- the hire month + 1; the factor is the plan_ramp row of the plan assigned in
-- that month (the usable assignment overlapping the month that started last);
-- no ramp row (beyond the list, before the hire, no plan) = 1.0. The singular
-- test assert_planning_ramp_matches_fct_quota checks both agree wherever
-- fct_quota has the month.
with

periods as (

    select * from {{ ref('dim_period') }}

),

workers as (

    select * from {{ ref('stg_workday__workers') }}

),

ramps as (

    select * from {{ ref('stg_config__plan_ramps') }}

),

assignments as (

    select * from {{ ref('int_plan_assignments_validated') }}
    where quarantine_rule is null

),

worker_months as (

    select
        workers.employee_id,
        workers.hire_date,
        workers.termination_date,
        periods.period,
        periods.period_start,
        periods.period_end,
        periods.plan_year,
        periods.days_in_month,
        (extract(year from periods.period_start) - extract(year from workers.hire_date)) * 12
            + extract(month from periods.period_start) - extract(month from workers.hire_date) + 1
            as employment_month_raw
    from workers
    cross join periods

),

month_plans as (

    select
        worker_months.employee_id,
        worker_months.period,
        assignments.plan_id,
        row_number() over (
            partition by worker_months.employee_id, worker_months.period
            order by assignments.start_date desc
        ) as assignment_rank
    from worker_months
    inner join assignments
        on worker_months.employee_id = assignments.employee_id
        and assignments.start_date <= worker_months.period_end
        and worker_months.period_start <= coalesce(assignments.end_date, {{ open_end_date() }})

),

final as (

    select
        worker_months.employee_id,
        worker_months.period,
        worker_months.period_start,
        worker_months.period_end,
        worker_months.plan_year,
        worker_months.days_in_month,
        worker_months.hire_date,
        worker_months.termination_date,
        cast(worker_months.employment_month_raw as {{ dbt.type_int() }}) as employment_month,
        month_plans.plan_id,
        {{ money('coalesce(ramps.quota_factor, 1)') }} as ramp_factor
    from worker_months
    left join month_plans
        on worker_months.employee_id = month_plans.employee_id
        and worker_months.period = month_plans.period
        and month_plans.assignment_rank = 1
    left join ramps
        on month_plans.plan_id = ramps.plan_id
        and worker_months.employment_month_raw = ramps.employment_month

)

select * from final
