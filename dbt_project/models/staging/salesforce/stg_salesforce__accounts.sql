with

source as (

    select * from {{ source('salesforce', 'account') }}

),

ranked as (

    select
        *,
        {{ newest_version_rank(['Id'], 'LastModifiedDate') }} as version_rank
    from source

),

renamed as (

    select
        ----------  ids
        Id as account_id,
        OwnerId as owner_user_id,

        ----------  text
        Name as account_name,
        Industry as industry,
        BillingCountry as billing_country,

        ----------  numerics
        {{ money('AnnualRevenue') }} as annual_revenue,
        NumberOfEmployees as number_of_employees,

        ----------  dates
        LastModifiedDate as last_modified_at,

        ----------  load metadata
        {{ load_metadata_columns() }}

    from ranked
    where version_rank = 1

)

select * from renamed
