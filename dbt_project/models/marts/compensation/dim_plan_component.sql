-- One row per plan component of the plan configuration (plans.yaml), with its
-- display name and what it measures and pays (statements name components by it).
with

components as (

    select * from {{ ref('stg_config__plan_components') }}

),

final as (

    select
        ----------  ids
        plan_id,
        component_id,

        ----------  what it is
        component_name,
        earning_code,
        measure,
        basis,
        rule_type

    from components

)

select * from final
