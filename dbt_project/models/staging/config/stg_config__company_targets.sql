-- Company bookings target per plan year (the newest row per plan year).
with

source as (

    select * from {{ source('planning_config', 'company_targets') }}

),

ranked as (

    select
        *,
        {{ newest_version_rank(['plan_year']) }} as version_rank
    from source

),

renamed as (

    select
        cast(plan_year as {{ dbt.type_int() }}) as plan_year,
        {{ money('target_amount') }} as target_amount,
        currency,
        new_hire_plan_id,

        ----------  load metadata
        {{ load_metadata_columns() }}

    from ranked
    where version_rank = 1

)

select * from renamed
