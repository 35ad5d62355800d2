-- Manual adjustments (config adjustments.csv, optional; docs/payment_workflow.md):
-- the rows the landing contract accepted (approved by someone other than the
-- requester), newest row per employee, period, earning code and reason.
with

source as (

    select * from {{ source('config', 'adjustments') }}

),

ranked as (

    select
        *,
        {{ newest_version_rank(['employee_id', 'period', 'upper(trim(earning_code))', 'reason']) }} as version_rank
    from source

),

renamed as (

    select
        ----------  ids
        employee_id,
        period,
        upper(trim(earning_code)) as earning_code,
        inquiry_id,

        ----------  amount
        {{ money('amount') }} as amount,
        currency,

        ----------  why and who
        reason,
        requested_by,
        approved_by,
        approved_at,

        ----------  load metadata
        {{ load_metadata_columns() }}

    from ranked
    where version_rank = 1

)

select * from renamed
