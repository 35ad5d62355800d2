-- Rate tables of tiered components (SPEC §5), the last band open. A
-- component's bands are on attainment (tiers_on attainment: [attainment_from,
-- attainment_to) of credit / quota with a multiplier of the base commission
-- rate) or on amount (tiers_on amount: [amount_from, amount_to) of credit in
-- the payee's currency with a rate of the credit); the other columns are null.
with

source as (

    select * from {{ source('config', 'plan_component_tier') }}

),

renamed as (

    select
        ----------  ids
        plan_id,
        component_id,
        cast(tier_index as {{ dbt.type_int() }}) as tier_index,

        ----------  numerics
        {{ money('attainment_from') }} as attainment_from,
        {{ money('attainment_to') }} as attainment_to,
        {{ money('multiplier') }} as multiplier,
        {{ money('amount_from') }} as amount_from,
        {{ money('amount_to') }} as amount_to,
        {{ money('rate') }} as rate

    from source

)

select * from renamed
