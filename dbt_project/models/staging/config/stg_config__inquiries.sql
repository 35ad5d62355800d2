-- Inquiries (config inquiries.csv, optional; docs/payment_workflow.md): the rows
-- the landing contract accepted (a known category and status; a resolved or
-- rejected one with a resolved_at not before opened_at), newest row per
-- inquiry_id. Category and status trimmed and lower-cased (the contract compares
-- them so).
with

source as (

    select * from {{ source('config', 'inquiries') }}

),

ranked as (

    select
        *,
        {{ newest_version_rank(['inquiry_id']) }} as version_rank
    from source

),

renamed as (

    select
        ----------  ids
        inquiry_id,
        employee_id,
        period,
        opportunity_id,

        ----------  what
        lower(trim(category)) as category,
        text as inquiry_text,

        ----------  state
        lower(trim(status)) as status,
        resolution,
        opened_at,
        resolved_at,

        ----------  load metadata
        {{ load_metadata_columns() }}

    from ranked
    where version_rank = 1

)

select * from renamed
