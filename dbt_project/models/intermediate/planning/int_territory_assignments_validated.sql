-- Territory assignments (config territory_assignments.csv) with the rule a
-- row breaks, if any: unknown_territory_id (not in territories.yaml),
-- territory_assignment_without_hr_worker, end_date_before_start_date. Rows
-- with a quarantine_rule are listed in fct_territory_assignment, never used.
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
    end as quarantine_rule,
    assignments.source_file,
    assignments.source_row
from assignments
left join territories
    on assignments.territory_id = territories.territory_id
left join workers
    on assignments.employee_id = workers.employee_id
