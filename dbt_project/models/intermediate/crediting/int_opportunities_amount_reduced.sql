-- Won deals whose amount was reduced after an earlier win (SPEC §5 clawback,
-- reason amount_reduced): the newest version is won, and the newest earlier
-- won (not deleted) version with a different amount had a higher one.
--   original_amount: that earlier version's Amount (the last won amount
--                    before the reduction)
--   change_date:     the CreatedDate of the first OpportunityHistory row after
--                    that version with a lower Amount, else the batch date of
--                    the first later version (the batch the change arrived in).
-- The credit date stays the current CloseDate (and its FX rates).
with

versions as (

    select * from {{ ref('int_opportunity_versions') }}

),

history as (

    select * from {{ ref('stg_salesforce__opportunity_history') }}

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

change_versions as (

    select
        versions.opportunity_id,
        versions.source_batch_date,
        row_number() over (partition by versions.opportunity_id order by versions.version_rank desc) as change_rank
    from versions
    inner join reduced
        on versions.opportunity_id = reduced.opportunity_id
        and versions.version_rank < reduced.original_version_rank

),

history_changes as (

    select
        history.opportunity_id,
        min(cast(history.created_at as date)) as change_date
    from history
    inner join reduced
        on history.opportunity_id = reduced.opportunity_id
        and history.created_at > reduced.original_modified_at
        and history.amount < reduced.original_amount
    group by history.opportunity_id

),

final as (

    select
        reduced.opportunity_id,
        {{ money('reduced.original_amount') }} as original_amount,
        {{ money('reduced.current_amount') }} as current_amount,
        coalesce(history_changes.change_date, change_versions.source_batch_date) as change_date,
        'amount_reduced' as change_reason
    from reduced
    left join change_versions
        on reduced.opportunity_id = change_versions.opportunity_id
        and change_versions.change_rank = 1
    left join history_changes
        on reduced.opportunity_id = history_changes.opportunity_id

)

select * from final
