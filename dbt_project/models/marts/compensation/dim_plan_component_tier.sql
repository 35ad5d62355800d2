-- The rate table of every tiered plan component (plan configuration): bands on
-- attainment [attainment_from, attainment_to) with a multiplier of BCR, or on
-- amount [amount_from, amount_to) with a rate of the credit; the last band open.
-- Statements print the tiers in words from it.
with

tiers as (

    select * from {{ ref('stg_config__plan_component_tiers') }}

),

final as (

    select
        ----------  ids
        plan_id,
        component_id,
        tier_index,

        ----------  the band
        attainment_from,
        attainment_to,
        multiplier,
        amount_from,
        amount_to,
        rate

    from tiers

)

select * from final
