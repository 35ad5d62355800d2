-- Rate tables of tiered components: attainment bands [attainment_from,
-- attainment_to) with a multiplier of the base commission rate; the last band
-- is open (attainment_to null). SPEC §5.
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
        {{ money('multiplier') }} as multiplier

    from source

)

select * from renamed
