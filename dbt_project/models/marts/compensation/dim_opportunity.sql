-- One row per deal: the CRM's newest version of each Opportunity (SPEC §2; a
-- deal whose newest version is deleted is gone), as staged. Statements name
-- deals by it. Incremental by deal (docs/incremental.md): a deal's row is its
-- own newest version.
{{ spm.engine_incremental() }}
with

opportunities as (

    select * from {{ spm.engine_scope(ref('stg_salesforce__opportunities')) }}

),

final as (

    select
        ----------  ids
        opportunity_id,
        account_id,
        owner_user_id,

        ----------  deal
        opportunity_name,
        opportunity_type,
        stage_name,
        is_closed,
        is_won,
        currency_code,
        amount,
        probability,

        ----------  dates
        close_date,
        created_at,
        last_modified_at,
        source_batch_date

    from opportunities

)

select * from final
