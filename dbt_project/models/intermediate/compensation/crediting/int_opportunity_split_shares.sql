-- Who an opportunity credits and by what share (SPEC §3.3), for every
-- opportunity of the CRM, won or not: one row per deal version and credited
-- CRM user.
-- * Splits count only when they sum to 100 within the tolerance
--   (int_opportunity_splits_validated): each split owner gets their
--   percentage, a user's split rows summed into one share; a 0% split owner
--   gets nothing. A deal whose splits do not add up credits nobody (no row).
-- * Without splits the owner gets 100%.
-- deal_version says whose owner: 'newest' = every opportunity's newest version
-- (stg_salesforce__opportunities; the engine's current won deals and the
-- forecasts' pipeline read these), 'last_won' = the last won version of a deal
-- lost or deleted after a win (int_opportunities_lost_after_win, SPEC §5: its
-- credit may stand after the clawback window).
-- The engine's credit amounts (int_opportunity_credit_shares: Amount *
-- percentage / 100 of each creditable deal) and the forecasts' pipeline shares
-- (fct_pipeline_credit_share) both read these shares.
{{ spm.engine_incremental() }}
with

opportunities as (

    select * from {{ spm.engine_scope(ref('stg_salesforce__opportunities')) }}

),

lost_after_win as (

    select * from {{ spm.engine_scope(ref('int_opportunities_lost_after_win')) }}

),

splits_validated as (

    select * from {{ spm.engine_scope(ref('int_opportunity_splits_validated')) }}

),

splits as (

    select * from {{ spm.engine_scope(ref('stg_salesforce__opportunity_splits')) }}

),

deal_versions as (

    select
        opportunity_id,
        'newest' as deal_version,
        owner_user_id,
        currency_code as deal_currency
    from opportunities

    union all

    select
        opportunity_id,
        'last_won' as deal_version,
        owner_user_id,
        deal_currency
    from lost_after_win

),

deals as (

    select
        deal_versions.*,
        coalesce(splits_validated.split_status, 'none') as split_status
    from deal_versions
    left join splits_validated
        on deal_versions.opportunity_id = splits_validated.opportunity_id

),

-- A user holding two split rows on one deal gets one share.
split_owner_percentages as (

    select
        opportunity_id,
        split_owner_user_id,
        sum(split_percentage) as split_percentage
    from splits
    group by opportunity_id, split_owner_user_id

),

owner_shares as (

    select
        opportunity_id,
        deal_version,
        owner_user_id as credited_user_id,
        'owner' as credit_type,
        {{ money('100') }} as split_percentage
    from deals
    where split_status = 'none'

),

split_shares as (

    select
        deals.opportunity_id,
        deals.deal_version,
        split_owner_percentages.split_owner_user_id as credited_user_id,
        'split' as credit_type,
        {{ money('split_owner_percentages.split_percentage') }} as split_percentage
    from deals
    inner join split_owner_percentages
        on deals.opportunity_id = split_owner_percentages.opportunity_id
    where deals.split_status = 'valid'
        and split_owner_percentages.split_percentage <> 0

),

shares as (

    select * from owner_shares
    union all
    select * from split_shares

),

final as (

    select
        ----------  ids
        shares.opportunity_id,
        shares.deal_version,
        shares.credited_user_id,

        ----------  share
        shares.credit_type,
        shares.split_percentage,

        ----------  deal version
        deals.owner_user_id,
        deals.deal_currency,
        deals.split_status

    from shares
    inner join deals
        on shares.opportunity_id = deals.opportunity_id
        and shares.deal_version = deals.deal_version

)

select * from final
