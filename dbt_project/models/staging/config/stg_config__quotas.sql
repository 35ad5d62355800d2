with

source as (

    select * from {{ source('config', 'quotas') }}

),

ranked as (

    select
        *,
        {{ newest_version_rank(['employee_id', 'plan_year']) }} as version_rank
    from source

),

renamed as (

    select
        ----------  ids
        employee_id,
        cast(plan_year as {{ dbt.type_int() }}) as plan_year,

        ----------  amounts
        {{ money('annual_quota') }} as annual_quota,
        currency,

        ----------  text
        seasonality_profile,

        ----------  load metadata
        {{ load_metadata_columns() }}

    from ranked
    where version_rank = 1

)

select * from renamed
