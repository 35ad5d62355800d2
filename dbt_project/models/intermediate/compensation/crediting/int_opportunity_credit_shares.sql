-- Who a creditable deal credits, in the deal's currency (SPEC §3.3): each
-- credited user's share of the deal (int_opportunity_split_shares: split owners
-- by percentage when the splits sum to 100 ± tolerance, else the owner 100%, of
-- the deal version credited) gets Amount * SplitPercentage / 100; the owner
-- the whole Amount. Deals with bad splits, no amount or a negative amount get
-- no share here (they are quarantined: int_deals_quarantined).
{{ spm.engine_incremental() }}
with

creditable as (

    select * from {{ spm.engine_scope(ref('int_opportunities_creditable')) }}
    where deal_amount >= 0

),

split_shares as (

    select * from {{ spm.engine_scope(ref('int_opportunity_split_shares')) }}

),

shares as (

    select
        creditable.opportunity_id,
        split_shares.credited_user_id,
        split_shares.credit_type,
        split_shares.split_percentage,
        case
            when split_shares.credit_type = 'owner' then creditable.deal_amount
            else {{ divide_money('creditable.deal_amount * split_shares.split_percentage', '100') }}
        end as credit_amount_deal_currency
    from creditable
    inner join split_shares
        on creditable.opportunity_id = split_shares.opportunity_id
        -- the version credited: the newest when won now, else the last won
        and split_shares.deal_version = case creditable.credit_status
            when 'current' then 'newest'
            when 'lost_after_win' then 'last_won'
        end

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
