-- One row per HR worker and day of dim_period: the day rules of SPEC §4 and of
-- plan eligibility, decided here once for quota and planning.
-- * is_employed: on or after the hire date, on or before the termination date.
-- * is_eligible_day (the quota's eligible day): employed and in no unpaid leave
--   (paid leave is eligible; overlapping leaves count once).
-- * plan_id / plan_assignment_start: the plan paying the day, i.e. the eligible
--   assignment segment covering it (int_plan_assignment_segments: the job
--   family of the day is eligible for the plan); where usable assignments
--   overlap, the one that started last. Null on days no plan pays.
-- * is_job_family_ineligible: a usable assignment covers the day but no segment
--   covering it is eligible for the payee's job family of the day: the engine
--   pays no plan that day (the run is quarantined as
--   plan_assignment_job_family_not_eligible). A day without any usable
--   assignment is not ineligible (no plan is known, nothing is refused).
-- Read by int_quota_eligible_days (quota proration), int_payee_month_ramps (the
-- ramp's plan of a month) and int_territory_assignment_months (planning
-- capacity).
with

periods as (

    select * from {{ ref('int_periods') }}

),

workers as (

    select * from {{ ref('stg_workday__workers') }}

),

unpaid_leaves as (

    select * from {{ ref('stg_workday__leaves') }}
    where not is_paid

),

segments as (

    select * from {{ ref('int_plan_assignment_segments') }}

),

month_days as (

    {{ dbt.generate_series(31) }}

),

worker_days as (

    select
        workers.employee_id,
        workers.hire_date,
        workers.termination_date,
        periods.period,
        periods.plan_year,
        cast({{ dbt.dateadd('day', 'month_days.generated_number - 1', 'periods.period_start') }} as date) as day
    from workers
    cross join periods
    inner join month_days
        on month_days.generated_number <= periods.days_in_month

),

-- The eligible segment that started last, else (no eligible one) an ineligible one.
day_segments as (

    select
        worker_days.employee_id,
        worker_days.day,
        segments.plan_id,
        segments.start_date,
        segments.is_eligible,
        row_number() over (
            partition by worker_days.employee_id, worker_days.day
            order by case when segments.is_eligible then 1 else 0 end desc, segments.start_date desc
        ) as segment_rank
    from worker_days
    inner join segments
        on worker_days.employee_id = segments.employee_id
        and segments.segment_start <= worker_days.day
        and worker_days.day <= segments.segment_end_or_open

),

flagged as (

    select
        worker_days.employee_id,
        worker_days.period,
        worker_days.plan_year,
        worker_days.day,
        worker_days.day >= worker_days.hire_date
            and worker_days.day <= coalesce(worker_days.termination_date, {{ open_end_date() }})
            as is_employed,
        exists (
            select 1 from unpaid_leaves
            where unpaid_leaves.employee_id = worker_days.employee_id
                and unpaid_leaves.start_date <= worker_days.day
                and worker_days.day <= coalesce(unpaid_leaves.end_date, {{ open_end_date() }})
        ) as is_on_unpaid_leave,
        case when day_segments.is_eligible then day_segments.plan_id end as plan_id,
        case when day_segments.is_eligible then day_segments.start_date end as plan_assignment_start,
        coalesce(not day_segments.is_eligible, false) as is_job_family_ineligible
    from worker_days
    left join day_segments
        on worker_days.employee_id = day_segments.employee_id
        and worker_days.day = day_segments.day
        and day_segments.segment_rank = 1

),

final as (

    select
        ----------  ids
        employee_id,
        period,
        plan_year,
        day,

        ----------  the day's rules
        is_employed,
        is_on_unpaid_leave,
        is_employed and not is_on_unpaid_leave as is_eligible_day,
        plan_id,
        plan_assignment_start,
        is_job_family_ineligible

    from flagged

)

select * from final
