-- Monthly quota seasonality (SPEC §4): the weight of each month of the year in
-- a named profile (quotas.seasonality_profile); a profile's weights sum to 1.
with

source as (

    select * from {{ source('config', 'seasonality') }}

),

ranked as (

    select
        *,
        {{ newest_version_rank(['seasonality_profile', 'month_of_year']) }} as version_rank
    from source

),

renamed as (

    select
        ----------  ids
        seasonality_profile,
        cast(month_of_year as {{ dbt.type_int() }}) as month_of_year,

        ----------  numerics
        {{ money('weight') }} as weight,

        ----------  load metadata
        {{ load_metadata_columns() }}

    from ranked
    where version_rank = 1

)

select * from renamed
