-- end_date is inclusive; null means open-ended.
with

source as (

    select * from {{ source('config', 'plan_assignments') }}

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
        plan_id,

        ----------  dates
        start_date,
        end_date,

        ----------  load metadata
        {{ load_metadata_columns() }}

    from ranked
    where version_rank = 1

)

select * from renamed
