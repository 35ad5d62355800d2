with

source as (

    select * from {{ source('salesforce', 'product') }}

),

ranked as (

    select
        *,
        {{ newest_version_rank(['Id']) }} as version_rank
    from source

),

renamed as (

    select
        ----------  ids
        Id as product_id,

        ----------  text
        Name as product_name,
        ProductCode as product_code,
        Family as product_family,

        ----------  booleans
        IsActive as is_active,

        ----------  load metadata
        {{ load_metadata_columns() }}

    from ranked
    where version_rank = 1

)

select * from renamed
