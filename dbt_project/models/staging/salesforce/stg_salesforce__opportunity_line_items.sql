-- A table, not a view like the rest of staging: OpportunityLineItem is the
-- second largest raw table (after the history) and several models and tests
-- read it; as a view, each read ranked every version again (seconds per read
-- at 2M deals). Ranked once per build instead, and incremental by deal
-- (docs/incremental.md): an incremental build ranks only the versions of the
-- line items any version of which is on a deal in the engine scope (every
-- version names its deal, and a later version may name another) and replaces
-- the rows of the scope's deals with the newest versions on them.
{{ spm.engine_incremental() }}
with

source as (

    select * from {{ spm.engine_scope_records(source('salesforce', 'opportunity_line_item')) }}

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
        and {{ spm.engine_in_scope('OpportunityId') }}

)

select * from renamed
