-- A table, not a view like the rest of staging: OpportunityLineItem is the second
-- largest raw table (after the history) and several models and tests read it;
-- as a view, each read ranked every version again (seconds per read at 2M
-- deals). Ranked once per build instead.
{{ config(materialized='table') }}
with

source as (

    select * from {{ source('salesforce', 'opportunity_line_item') }}

),

ranked as (

    select
        *,
        {{ newest_version_rank(['Id'], 'LastModifiedDate') }} as version_rank
    from source

),

renamed as (

    select
        ----------  ids
        Id as line_item_id,
        OpportunityId as opportunity_id,
        Product2Id as product_id,

        ----------  numerics
        {{ money('Quantity') }} as quantity,
        {{ money('UnitPrice') }} as unit_price,
        {{ money('TotalPrice') }} as total_price,

        ----------  dates
        LastModifiedDate as last_modified_at,

        ----------  load metadata
        {{ load_metadata_columns() }}

    from ranked
    where version_rank = 1

)

select * from renamed
