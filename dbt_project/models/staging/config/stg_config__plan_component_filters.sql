-- Component filters (SPEC §3.5): filter_type opportunity_type restricts credit
-- to deals of the listed Types; product_family to the line items' TotalPrice
-- share of the listed Families.
with

source as (

    select * from {{ source('config', 'plan_component_filter') }}

),

renamed as (

    select
        ----------  ids
        plan_id,
        component_id,

        ----------  text
        filter_type,
        filter_value

    from source

)

select * from renamed
