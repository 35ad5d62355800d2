with

source as (

    select * from {{ source('workday', 'job_history') }}

),

ranked as (

    select
        *,
        {{ newest_version_rank(['employee_id', 'effective_date']) }} as version_rank
    from source

),

renamed as (

    select
        ----------  ids
        employee_id,
        manager_employee_id,

        ----------  dates
        effective_date,

        ----------  text
        job_family,
        job_title,
        cost_center,

        ----------  numerics
        {{ money('annual_target_incentive') }} as annual_target_incentive,

        ----------  load metadata
        {{ load_metadata_columns() }}

    from ranked
    where version_rank = 1

)

select * from renamed
