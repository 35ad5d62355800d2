-- Whether an opportunity's splits count (SPEC §3.3: "the percentages must sum
-- to 100 (±0.01)"): one row per opportunity that has OpportunitySplit rows,
-- with their count and the sum of their percentages; split_status valid when
-- the sum is 100 within var split_total_tolerance (both bounds included), else
-- invalid (no credit for the deal; quarantined as split_percentages_not_100
-- when the deal is creditable). An opportunity without a row here has no
-- splits (split_status none: the owner gets 100%, int_opportunity_split_shares).
{{ spm.engine_incremental() }}
with

splits as (

    select * from {{ spm.engine_scope(ref('stg_salesforce__opportunity_splits')) }}

),

split_totals as (

    select
        opportunity_id,
        count(*) as split_count,
        sum(split_percentage) as split_percentage_total
    from splits
    group by opportunity_id

),

final as (

    select
        opportunity_id,
        split_count,
        {{ money('split_percentage_total') }} as split_percentage_total,
        case
            when abs(split_percentage_total - 100) <= {{ var('split_total_tolerance') }} then 'valid'
            else 'invalid'
        end as split_status
    from split_totals

)

select * from final
