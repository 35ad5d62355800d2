with

source as (

    select * from {{ source('workday', 'leave') }}

),

ranked as (

    select
        *,
        {{ newest_version_rank(['employee_id', 'start_date']) }} as version_rank
    from source

),

renamed as (

    select
        ----------  ids
        employee_id,

        ----------  dates
        start_date,
        end_date,

        ----------  text
        leave_type,

        ----------  booleans
        paid as is_paid,

        ----------  load metadata
        {{ load_metadata_columns() }}

    from ranked
    where version_rank = 1

)

select * from renamed
