-- Every version of every deal across batches (SPEC §2, not deduplicated), for
-- the clawback rule (SPEC §5): version_rank 1 is the newest version (the one
-- staging keeps), from stg_salesforce__opportunity_versions.
{{ spm.engine_incremental() }}
with

versions as (

    select * from {{ spm.engine_scope(ref('stg_salesforce__opportunity_versions')) }}

),

final as (

    select
        ----------  ids
        opportunity_id,
        owner_user_id,
        version_rank,

        ----------  deal
        stage_name,
        opportunity_type,
        currency_code,
        amount,
        close_date,
        coalesce(is_won, false) as is_won,
        coalesce(is_deleted, false) as is_deleted,
        last_modified_at,

        ----------  load metadata
        source_batch,
        source_batch_date,
        source_file,
        source_row,
        loaded_at

    from versions

)

select * from final
