-- Who a creditable deal credits, in the deal's currency (SPEC §3.3): with
-- splits summing to 100 (±tolerance), each split owner gets
-- Amount * SplitPercentage / 100; without splits the owner gets 100%. Deals with
-- bad splits, no amount or a negative amount get no share here (they are
-- quarantined: int_deals_quarantined).
with

creditable as (

    select * from {{ ref('int_opportunities_creditable') }}
    where split_status in ('none', 'valid')
        and deal_amount >= 0

),

splits as (

    select * from {{ ref('stg_salesforce__opportunity_splits') }}

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
        creditable.opportunity_id,
        creditable.owner_user_id as credited_user_id,
        'owner' as credit_type,
        {{ money('100') }} as split_percentage,
        creditable.deal_amount as credit_amount_deal_currency
    from creditable
    where creditable.split_status = 'none'

),

split_shares as (

    select
        creditable.opportunity_id,
        split_owner_percentages.split_owner_user_id as credited_user_id,
        'split' as credit_type,
        {{ money('split_owner_percentages.split_percentage') }} as split_percentage,
        {{ divide_money('creditable.deal_amount * split_owner_percentages.split_percentage', '100') }}
            as credit_amount_deal_currency
    from creditable
    inner join split_owner_percentages
        on creditable.opportunity_id = split_owner_percentages.opportunity_id
    where creditable.split_status = 'valid'
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
        shares.credited_user_id,

        ----------  credit
        shares.credit_type,
        shares.split_percentage,
        shares.credit_amount_deal_currency,

        ----------  deal
        creditable.credit_date,
        creditable.deal_amount,
        creditable.deal_currency,
        creditable.opportunity_type,
        creditable.credit_status,
        creditable.change_date,
        creditable.change_reason,

        ----------  load metadata of the deal
        creditable.source_batch,
        creditable.source_file,
        creditable.source_row,
        creditable.loaded_at

    from shares
    inner join creditable
        on shares.opportunity_id = creditable.opportunity_id

)

select * from final
