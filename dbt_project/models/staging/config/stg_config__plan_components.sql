-- Plan components flattened from the plan YAML files. measure: what is
-- counted (own_credit, ...); basis: period, quarter or ytd; rule_type: how it
-- pays (flat_rate, ...); rate: the flat rate on credit, when the rule has one.
with

source as (

    select * from {{ source('config', 'plan_component') }}

),

renamed as (

    select
        ----------  ids
        plan_id,
        component_id,

        ----------  text
        component_name,
        earning_code,
        measure,
        basis,
        rule_type,

        ----------  numerics
        {{ money('rate') }} as rate

    from source

)

select * from renamed
