-- Every version of every Salesforce Opportunity across batches (SPEC §2, not
-- deduplicated): version_rank 1 is the newest (by LastModifiedDate, then batch
-- date, then landing file and row). stg_salesforce__opportunities keeps rank 1
-- unless it is deleted; the clawback rule (SPEC §5) reads every version.
with

source as (

    select * from {{ source('salesforce', 'opportunity') }}

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
        Id as opportunity_id,
        AccountId as account_id,
        OwnerId as owner_user_id,
        version_rank,

        ----------  text
        Name as opportunity_name,
        StageName as stage_name,
        Type as opportunity_type,
        CurrencyIsoCode as currency_code,

        ----------  numerics
        {{ money('Amount') }} as amount,
        {{ money('Probability') }} as probability,

        ----------  booleans
        IsClosed as is_closed,
        IsWon as is_won,
        IsDeleted as is_deleted,

        ----------  dates
        CloseDate as close_date,
        CreatedDate as created_at,
        LastModifiedDate as last_modified_at,

        ----------  load metadata
        {{ load_metadata_columns() }}

    from ranked

)

select * from renamed
