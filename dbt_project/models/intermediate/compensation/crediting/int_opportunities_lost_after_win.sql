-- Deals that were creditable (won, not deleted) in some version and are not
-- creditable now (SPEC §5 clawback): the newest version is deleted or not won.
-- The credit they would keep is the one of the last won version (its amount,
-- currency, CloseDate and owner); the change is
--   change_date: the CreatedDate of the first OpportunityHistory row after that
--                win whose stage is not the won stage, else the batch date of
--                the first later version (the batch in which the change arrived);
--   change_reason: deleted (newest version IsDeleted) or lost.
-- Whether the credit is reversed or stands is decided per payee and plan
-- (int_credits_clawback_evaluated). A reduced amount on a still-won deal is not
-- treated here: the deal is credited at its current amount.
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
        and (is_deleted or not is_won)

),

won_versions as (

    select
        versions.*,
        row_number() over (partition by versions.opportunity_id order by versions.version_rank) as won_rank
    from versions
    inner join newest
        on versions.opportunity_id = newest.opportunity_id
    where versions.is_won
        and not versions.is_deleted

),

last_won as (

    select * from won_versions
    where won_rank = 1

),

-- The change: the first history row after the last win leaving the won stage,
-- else the oldest version newer than the last win (where the change arrived).
{{ opportunity_change_ctes('last_won', 'version_rank', 'last_modified_at', 'history.stage_name <> last_won.stage_name') }},

final as (

    select
        ----------  ids
        last_won.opportunity_id,
        last_won.owner_user_id,

        ----------  the last won version
        last_won.opportunity_type,
        last_won.amount as deal_amount,
        last_won.currency_code as deal_currency,
        last_won.close_date as credit_date,

        ----------  the change
        {{ opportunity_change_date() }} as change_date,
        case when newest.is_deleted then 'deleted' else 'lost' end as change_reason,

        ----------  load metadata of the last won version
        last_won.source_batch,
        last_won.source_file,
        last_won.source_row,
        last_won.loaded_at

    from last_won
    inner join newest
        on last_won.opportunity_id = newest.opportunity_id
    {{ opportunity_change_joins('last_won') }}

)

select * from final
