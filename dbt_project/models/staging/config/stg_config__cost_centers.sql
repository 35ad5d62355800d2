-- Cost centers with their country (config cost_centers.csv; the newest row per cost center).
with

source as (

    select * from {{ source('config', 'cost_centers') }}

),

ranked as (

    select
        *,
        {{ newest_version_rank(['cost_center']) }} as version_rank
    from source

),

renamed as (

    select
        cost_center,
        upper(trim(country)) as country,
        name as cost_center_name,

        ----------  load metadata
        {{ load_metadata_columns() }}

    from ranked
    where version_rank = 1

)

select * from renamed
