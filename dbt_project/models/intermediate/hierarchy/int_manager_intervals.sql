-- Each worker's manager over time (SPEC §3.4, "the HR manager chain as of the
-- credit date"): one row per worker and interval [valid_from, valid_to) in
-- which manager_employee_id is their manager.
-- * From each job_history row's effective_date to the next one's (the last is
--   open-ended): that row's manager_employee_id (null = no manager).
-- * Before a worker's first job_history row, and always for a worker without
--   job history: the current HR record's manager_employee_id.
-- job_family follows the same intervals (the job_history row's, else the
-- current record's): plan eligibility (int_plan_assignment_segments) reads it.
-- A job_history row without a job_family (a sparse export: only the manager
-- changed) keeps the family of the newest earlier row that has one, else the
-- current record's.
with

workers as (

    select * from {{ ref('stg_workday__workers') }}

),

job_history as (

    select
        employee_id,
        manager_employee_id,
        job_family,
        effective_date,
        lead(effective_date) over (partition by employee_id order by effective_date) as next_effective_date,
        min(effective_date) over (partition by employee_id) as first_effective_date
    from {{ ref('stg_workday__job_history') }}

),

family_rows as (

    select employee_id, effective_date, job_family
    from job_history
    where job_family is not null

),

-- the newest row on or before each row that names a job family
family_dates as (

    select
        job_history.employee_id,
        job_history.effective_date,
        max(family_rows.effective_date) as family_effective_date
    from job_history
    inner join family_rows
        on job_history.employee_id = family_rows.employee_id
        and family_rows.effective_date <= job_history.effective_date
    group by job_history.employee_id, job_history.effective_date

),

first_rows as (

    select distinct employee_id, first_effective_date
    from job_history

),

from_history as (

    select
        job_history.employee_id,
        job_history.manager_employee_id,
        coalesce(family_rows.job_family, workers.job_family) as job_family,
        job_history.effective_date as valid_from,
        coalesce(job_history.next_effective_date, {{ open_end_date() }}) as valid_to,
        'job_history' as manager_source
    from job_history
    left join family_dates
        on job_history.employee_id = family_dates.employee_id
        and job_history.effective_date = family_dates.effective_date
    left join family_rows
        on family_dates.employee_id = family_rows.employee_id
        and family_dates.family_effective_date = family_rows.effective_date
    left join workers
        on job_history.employee_id = workers.employee_id

),

before_history as (

    select
        workers.employee_id,
        workers.manager_employee_id,
        workers.job_family,
        cast('0001-01-01' as date) as valid_from,
        coalesce(first_rows.first_effective_date, {{ open_end_date() }}) as valid_to,
        'current_record' as manager_source
    from workers
    left join first_rows
        on workers.employee_id = first_rows.employee_id

),

final as (

    select * from from_history
    union all
    select * from before_history
    where valid_from < valid_to

)

select * from final
