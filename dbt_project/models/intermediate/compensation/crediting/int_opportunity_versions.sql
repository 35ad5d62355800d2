-- Every version of every deal across batches (SPEC §2, not deduplicated), for
-- the clawback rule (SPEC §5): version_rank 1 is the newest version (the one
-- staging keeps), ordered as stg_salesforce__opportunities orders them.
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

final as (

    select
        ----------  ids
        Id as opportunity_id,
        OwnerId as owner_user_id,
        version_rank,

        ----------  deal
        StageName as stage_name,
        Type as opportunity_type,
        CurrencyIsoCode as currency_code,
        {{ money('Amount') }} as amount,
        CloseDate as close_date,
        coalesce(IsWon, false) as is_won,
        coalesce(IsDeleted, false) as is_deleted,
        LastModifiedDate as last_modified_at,

        ----------  load metadata
        {{ load_metadata_columns() }}

    from ranked

)

select * from final
