with

source as (

    select * from {{ source('salesforce', 'opportunity_split') }}

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
        Id as split_id,
        OpportunityId as opportunity_id,
        SplitOwnerId as split_owner_user_id,

        ----------  numerics
        {{ money('SplitPercentage') }} as split_percentage,

        ----------  dates
        LastModifiedDate as last_modified_at,

        ----------  load metadata
        {{ load_metadata_columns() }}

    from ranked
    where version_rank = 1

)

select * from renamed
