-- The new-hire ramp of SPEC §4, for every HR worker and month of dim_period
-- (quota months and plan years still without quotas alike); the one place the
-- ramp is decided, read by int_quota_months_prorated (fct_quota) and by
-- planning (int_territory_assignment_months):
-- * employment_month k = months since the hire month + 1 (k = 1 in the month of
--   the hire date; 0 and below before it);
-- * the month's plan is the plan paying one of its days that started last
--   (int_payee_days: the usable assignment with an eligible job-family segment
--   overlapping the month, later start wins); null when no plan pays a day;
-- * ramp_factor is that plan's plan_ramp row for k; 1.0 without one (beyond the
--   list, before the hire, no plan).
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

month_plans as (

    select
        employee_id,
        period,
        plan_id,
        row_number() over (
            partition by employee_id, period
            order by plan_assignment_start desc
        ) as plan_rank
    from (
        select distinct employee_id, period, plan_id, plan_assignment_start
        from {{ ref('int_payee_days') }}
        where plan_id is not null
    ) as paid_months

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

final as (

    select
        ----------  ids
        worker_months.employee_id,
        worker_months.period,
        worker_months.plan_year,
        month_plans.plan_id,

        ----------  the month and the worker
        worker_months.period_start,
        worker_months.period_end,
        worker_months.days_in_month,
        worker_months.hire_date,
        worker_months.termination_date,

        ----------  ramp
        cast(worker_months.employment_month_raw as {{ dbt.type_int() }}) as employment_month,
        {{ money('coalesce(ramps.quota_factor, 1)') }} as ramp_factor

    from worker_months
    left join month_plans
        on worker_months.employee_id = month_plans.employee_id
        and worker_months.period = month_plans.period
        and month_plans.plan_rank = 1
    left join ramps
        on month_plans.plan_id = ramps.plan_id
        and worker_months.employment_month_raw = ramps.employment_month

)

select * from final
