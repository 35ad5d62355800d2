-- Days of each month a payee works a territory, and the ramped capacity:
-- a day counts when a usable territory assignment covers it (start_date <=
-- day <= end_date), the payee is employed (hire_date <= day <=
-- termination_date) and the engine does not refuse the payee's plan that day
-- for their job family (int_payee_days.is_job_family_ineligible: a usable plan
-- assignment covers the day but no eligible job-family segment does, so the
-- engine pays no plan and gives no quota days). Should a payee's assignments
-- overlap, the later start_date wins the day (as for plan assignments).
--   capacity_months = ramp_factor * assigned_days / days_in_month
-- (int_payee_month_ramps: the new-hire ramp fct_quota uses), one exact division.
-- A fully ramped payee on a territory for a whole year has 12 capacity months.
with

assignments as (

    select * from {{ ref('int_territory_assignments_validated') }}
    where quarantine_rule is null

),

months as (

    select * from {{ ref('int_payee_month_ramps') }}

),

days as (

    select * from {{ ref('int_payee_days') }}
    where is_employed and not is_job_family_ineligible

),

assignment_days as (

    select
        assignments.employee_id,
        assignments.territory_id,
        assignments.start_date,
        days.period,
        days.day
    from assignments
    inner join days
        on assignments.employee_id = days.employee_id
        and assignments.start_date <= days.day
        and days.day <= coalesce(assignments.end_date, {{ open_end_date() }})

),

winning_days as (

    select
        employee_id,
        territory_id,
        period,
        row_number() over (partition by employee_id, day order by start_date desc) as day_rank
    from assignment_days

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
