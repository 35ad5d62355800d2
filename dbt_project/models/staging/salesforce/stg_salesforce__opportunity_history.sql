-- OpportunityHistory rows are immutable; a row repeated in a later batch is
-- the same row (the latest batch's copy is kept).
-- A table, not a view like the rest of staging: OpportunityHistory is the
-- largest raw table and several models and tests read it;
-- as a view, each read ranked every version again (seconds per read at 2M
-- deals). Ranked once per build instead.
{{ config(materialized='table') }}
with

source as (

    select * from {{ source('salesforce', 'opportunity_history') }}

),

ranked as (

    select
        *,
        {{ newest_version_rank(['Id']) }} as version_rank
    from source

),

renamed as (

    select
        ----------  ids
        Id as history_id,
        OpportunityId as opportunity_id,

        ----------  text
        StageName as stage_name,

        ----------  numerics
        {{ money('Amount') }} as amount,

        ----------  dates
        CloseDate as close_date,
        CreatedDate as created_at,

        ----------  load metadata
        {{ load_metadata_columns() }}

    from ranked
    where version_rank = 1

)

select * from renamed
