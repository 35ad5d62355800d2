-- Effective-dated territory of a payee; end_date inclusive, null = open-ended.
with

source as (

    select * from {{ source('planning_config', 'territory_assignments') }}

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
        territory_id,

        ----------  dates
        start_date,
        end_date,

        ----------  load metadata
        {{ load_metadata_columns() }}

    from ranked
    where version_rank = 1

)

select * from renamed
