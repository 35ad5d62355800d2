-- Days of each month a payee works a territory, and the ramped capacity:
-- a day counts when a usable territory assignment covers it (start_date <=
-- day <= end_date) and the payee is employed (hire_date <= day <=
-- termination_date). Should a payee's assignments overlap, the later
-- start_date wins the day (as for plan assignments).
--   capacity_months = ramp_factor * assigned_days / days_in_month
-- (int_planning_payee_month_ramps: the plan's new-hire ramp), one exact division.
-- A fully ramped payee on a territory for a whole year has 12 capacity months.
with

assignments as (

    select * from {{ ref('int_territory_assignments_validated') }}
    where quarantine_rule is null

),

months as (

    select * from {{ ref('int_planning_payee_month_ramps') }}

),

month_days as (

    {{ dbt.generate_series(31) }}

),

assignment_months as (

    select
        assignments.employee_id,
        assignments.territory_id,
        assignments.start_date,
        assignments.end_date,
        months.period,
        months.period_start,
        months.days_in_month,
        months.hire_date,
        months.termination_date
    from assignments
    inner join months
        on assignments.employee_id = months.employee_id
        and assignments.start_date <= months.period_end
        and months.period_start <= coalesce(assignments.end_date, {{ open_end_date() }})

),

assignment_days as (

    select
        assignment_months.*,
        cast({{ dbt.dateadd('day', 'month_days.generated_number - 1', 'assignment_months.period_start') }} as date) as day
    from assignment_months
    inner join month_days
        on month_days.generated_number <= assignment_months.days_in_month

),

winning_days as (

    select
        employee_id,
        territory_id,
        period,
        row_number() over (partition by employee_id, day order by start_date desc) as day_rank
    from assignment_days
    where start_date <= day
        and day <= coalesce(end_date, {{ open_end_date() }})
        and hire_date <= day
        and day <= coalesce(termination_date, {{ open_end_date() }})

),

assigned as (

    select
        employee_id,
        territory_id,
        period,
        count(*) as assigned_days
    from winning_days
    where day_rank = 1
    group by employee_id, territory_id, period

)

select
    assigned.employee_id,
    assigned.territory_id,
    assigned.period,
    months.plan_year,
    months.employment_month,
    months.plan_id,
    months.ramp_factor,
    cast(assigned.assigned_days as {{ dbt.type_int() }}) as assigned_days,
    months.days_in_month,
    {{ divide_money('months.ramp_factor * assigned.assigned_days', 'months.days_in_month') }} as capacity_months
from assigned
inner join months
    on assigned.employee_id = months.employee_id
    and assigned.period = months.period
