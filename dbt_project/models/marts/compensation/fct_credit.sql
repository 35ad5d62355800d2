-- One row per creditable deal and credited payee, in the payee's currency
-- (SPEC §3.1-3.3, 3.6). Shares that could not be credited (bad splits, owner
-- without HR record, missing FX rate) are in fct_quarantine instead.
with

credits as (

    select * from {{ ref('int_credits_converted') }}
    where credit_amount is not null

),

final as (

    select
        ----------  ids
        opportunity_id,
        employee_id,
        credited_user_id,

        ----------  when
        credit_date,
        period,
        {{ plan_year_of('credit_date') }} as plan_year,

        ----------  how
        credit_type,
        split_percentage,
        opportunity_type,

        ----------  deal currency
        deal_amount,
        deal_currency,
        credit_amount_deal_currency,

        ----------  conversion
        fx_rate_deal,
        fx_rate_payee,

        ----------  payee currency
        credit_amount,
        payee_currency,

        ----------  load metadata of the deal
        source_batch,
        source_file,
        source_row,
        loaded_at

    from credits

)

select * from final
