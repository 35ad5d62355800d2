-- OpportunityHistory rows are immutable; a row repeated in a later batch is
-- the same row (the latest batch's copy is kept).
-- A table, not a view like the rest of staging: OpportunityHistory is the
-- largest raw table and several models and tests read it; as a view, each
-- read ranked every version again (seconds per read at 2M deals). Ranked once
-- per build instead, and incremental by deal (docs/incremental.md): an
-- incremental build ranks only the versions of the records any version of
-- which is on a deal in the engine scope (every version of a row names its
-- deal, and a later version may name another) and replaces the rows of the
-- scope's deals with the newest versions on them.
{{ spm.engine_incremental() }}
with

source as (

    select * from {{ spm.engine_scope_records(source('salesforce', 'opportunity_history')) }}

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
        and {{ spm.engine_in_scope('OpportunityId') }}

)

select * from renamed
