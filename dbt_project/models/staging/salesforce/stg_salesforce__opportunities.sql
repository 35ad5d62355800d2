-- One row per deal: its newest version (SPEC §2); a deal whose newest version
-- is deleted (IsDeleted) is gone. The versions, renamed, are in
-- stg_salesforce__opportunity_versions.
with

versions as (

    select * from {{ ref('stg_salesforce__opportunity_versions') }}

),

newest as (

    select
        ----------  ids
        opportunity_id,
        account_id,
        owner_user_id,

        ----------  text
        opportunity_name,
        stage_name,
        opportunity_type,
        currency_code,

        ----------  numerics
        amount,
        probability,

        ----------  booleans
        is_closed,
        is_won,

        ----------  dates
        close_date,
        created_at,
        last_modified_at,

        ----------  load metadata
        source_batch,
        source_batch_date,
        source_file,
        source_row,
        loaded_at

    from versions
    where version_rank = 1
        and not coalesce(is_deleted, false)

)

select * from newest
