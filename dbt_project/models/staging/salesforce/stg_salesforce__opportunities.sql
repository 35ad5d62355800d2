-- One row per deal: its newest version (SPEC §2); a deal whose newest version
-- is deleted (IsDeleted) is gone.
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

        ----------  dates
        CloseDate as close_date,
        CreatedDate as created_at,
        LastModifiedDate as last_modified_at,

        ----------  load metadata
        {{ load_metadata_columns() }}

    from ranked
    where version_rank = 1
        and not coalesce(IsDeleted, false)

)

select * from renamed
