-- Won deals whose amount was reduced after an earlier win (SPEC §5 clawback,
-- reason amount_reduced): the newest version is won, and the newest earlier
-- won (not deleted) version with a different amount had a higher one.
--   original_amount: that earlier version's Amount (the last won amount
--                    before the reduction)
--   change_date:     the CreatedDate of the first OpportunityHistory row after
--                    that version with a lower Amount, else the batch date of
--                    the first later version (the batch the change arrived in).
-- The credit date stays the current CloseDate (and its FX rates).
{{ spm.engine_incremental() }}
with

versions as (

    select * from {{ spm.engine_scope(ref('int_opportunity_versions')) }}

),

history as (

    select * from {{ spm.engine_scope(ref('stg_salesforce__opportunity_history')) }}

),

newest as (

    select * from versions
    where version_rank = 1
        and is_won
        and not is_deleted
        and amount is not null

),

earlier_won as (

    select
        versions.*,
        row_number() over (partition by versions.opportunity_id order by versions.version_rank) as earlier_rank
    from versions
    inner join newest
        on versions.opportunity_id = newest.opportunity_id
    where versions.version_rank > 1
        and versions.is_won
        and not versions.is_deleted
        and versions.amount is not null
        and versions.amount <> newest.amount

),

original as (

    select * from earlier_won
    where earlier_rank = 1

),

reduced as (

    select
        original.opportunity_id,
        original.amount as original_amount,
        original.version_rank as original_version_rank,
        original.last_modified_at as original_modified_at,
        newest.amount as current_amount
    from original
    inner join newest
        on original.opportunity_id = newest.opportunity_id
    where original.amount > newest.amount

),

-- The change: the first history row after the original version with a lower
-- Amount, else the oldest version newer than it (where the change arrived).
{{ opportunity_change_ctes('reduced', 'original_version_rank', 'original_modified_at', 'history.amount < reduced.original_amount') }},

final as (

    select
        reduced.opportunity_id,
        {{ money('reduced.original_amount') }} as original_amount,
        {{ money('reduced.current_amount') }} as current_amount,
        {{ opportunity_change_date() }} as change_date,
        'amount_reduced' as change_reason
    from reduced
    {{ opportunity_change_joins('reduced') }}

)

select * from final
