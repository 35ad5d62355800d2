-- One row per worker: the latest batch's record (the HR export has no version column).
with

source as (

    select * from {{ source('workday', 'workers') }}

),

ranked as (

    select
        *,
        {{ newest_version_rank(['employee_id']) }} as version_rank
    from source

),

renamed as (

    select
        ----------  ids
        employee_id,
        manager_employee_id,

        ----------  text
        full_name,
        email,
        job_family,
        job_title,
        cost_center,
        country,
        currency,

        ----------  dates
        hire_date,
        termination_date,

        ----------  numerics
        {{ money('annual_base_salary') }} as annual_base_salary,
        {{ money('annual_target_incentive') }} as annual_target_incentive,

        ----------  load metadata
        {{ load_metadata_columns() }}

    from ranked
    where version_rank = 1

)

select * from renamed
