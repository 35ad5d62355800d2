-- Territory assignments (config territory_assignments.csv) with the rule a
-- row breaks, if any (the first that applies, in this order):
--   unknown_territory_id                      territories.yaml declares no such territory
--   territory_assignment_without_hr_worker    the payee has no HR worker record
--   end_date_before_start_date                the assignment ends before it starts
--   territory_assignment_outside_employment   no day of the assignment falls in the
--                                             payee's employment (hire .. termination)
-- Rows with a quarantine_rule are listed in fct_territory_assignment and in
-- fct_quarantine (int_config_rows_quarantined), never used. Overlapping
-- assignments of one payee are no error: the later start wins each day.
with

assignments as (

    select * from {{ ref('stg_config__territory_assignments') }}

),

territories as (

    select * from {{ ref('stg_config__territories') }}

),

workers as (

    select * from {{ ref('stg_workday__workers') }}

)

select
    assignments.employee_id,
    assignments.territory_id,
    assignments.start_date,
    assignments.end_date,
    case
        when territories.territory_id is null then 'unknown_territory_id'
        when workers.employee_id is null then 'territory_assignment_without_hr_worker'
        when assignments.end_date < assignments.start_date then 'end_date_before_start_date'
        when assignments.start_date > coalesce(workers.termination_date, {{ open_end_date() }})
            or coalesce(assignments.end_date, {{ open_end_date() }}) < workers.hire_date
            then 'territory_assignment_outside_employment'
    end as quarantine_rule,
    workers.hire_date,
    workers.termination_date,
    assignments.source_batch,
    assignments.source_file,
    assignments.source_row,
    assignments.loaded_at
from assignments
left join territories
    on assignments.territory_id = territories.territory_id
left join workers
    on assignments.employee_id = workers.employee_id
