-- Every version of every ERP invoice (one per landing batch it appears in),
-- renamed and typed. paid_to_date_amount is what the customer had paid by
-- paid_date, as of that batch's extract (cumulative; empty = 0): the versions
-- are the invoice's payment history, read by int_invoice_payments.
-- is_newest_version marks the invoice's current state (amount, dates, status).
with

source as (

    select * from {{ source('erp', 'invoice') }}

),

ranked as (

    select
        *,
        {{ newest_version_rank(['invoice_id']) }} as version_rank
    from source

),

renamed as (

    select
        ----------  ids
        invoice_id,
        opportunity_id,
        account_id,

        ----------  text
        currency,
        lower(trim(status)) as invoice_status,  -- the contract accepts it in any case (one_of)

        ----------  dates
        invoice_date,
        due_date,
        paid_date,

        ----------  numerics
        {{ money('amount') }} as invoice_amount,
        {{ money('coalesce(paid_amount, 0)') }} as paid_to_date_amount,

        ----------  versions
        version_rank = 1 as is_newest_version,

        ----------  load metadata
        {{ load_metadata_columns() }}

    from ranked

)

select * from renamed
