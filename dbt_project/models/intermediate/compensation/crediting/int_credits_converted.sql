-- One credit per deal and payee, converted to the payee's currency (SPEC §3.2):
--   amount_in_B = amount_in_A / rate_A(d) * rate_B(d)
-- with rate_X(d) the DatedConversionRate of X valid on the credit date d
-- (start_date <= d < next_start_date), computed as one exact division
-- (amount * rate_B) / rate_A. Same currency: no conversion (both rates 1).
-- The corporate currency's rate is 1 by definition when the CRM has no row for
-- it. Any other missing rate leaves credit_amount null: the credit is
-- quarantined, never converted at a silent 1.0.
{{ spm.engine_incremental() }}
with

mapped as (

    select * from {{ spm.engine_scope(ref('int_credit_shares_mapped_to_payees')) }}
    where employee_id is not null

),

-- Two CRM users of one payee on one deal make one credit.
per_payee as (

    select
        opportunity_id,
        employee_id,
        min(credited_user_id) as credited_user_id,
        case when max(case when credit_type = 'split' then 1 else 0 end) = 1 then 'split' else 'owner' end
            as credit_type,
        sum(split_percentage) as split_percentage,
        sum(credit_amount_deal_currency) as credit_amount_deal_currency,
        min(credit_date) as credit_date,
        min(deal_amount) as deal_amount,
        min(deal_currency) as deal_currency,
        min(payee_currency) as payee_currency,
        min(opportunity_type) as opportunity_type,
        min(credit_status) as credit_status,
        min(change_date) as change_date,
        min(change_reason) as change_reason,
        min(source_batch) as source_batch,
        min(source_file) as source_file,
        min(source_row) as source_row,
        min(loaded_at) as loaded_at
    from mapped
    group by opportunity_id, employee_id

),

with_rates as (

    {{ with_fx_rates('per_payee', ['opportunity_id', 'employee_id'], 'credit_date') }}

),

final as (

    select
        ----------  ids
        opportunity_id,
        employee_id,
        credited_user_id,

        ----------  credit
        credit_date,
        {{ period_of('credit_date') }} as period,
        credit_type,
        {{ money('split_percentage') }} as split_percentage,

        ----------  deal
        deal_amount,
        deal_currency,
        opportunity_type,
        {{ money('credit_amount_deal_currency') }} as credit_amount_deal_currency,

        ----------  clawback (SPEC §5): current, or lost_after_win with the change
        credit_status,
        change_date,
        change_reason,

        ----------  conversion
        fx_rate_deal,
        fx_rate_payee,
        {{ convert_money('credit_amount_deal_currency', 'deal_currency', 'payee_currency', 'fx_rate_deal', 'fx_rate_payee') }}
            as credit_amount,
        payee_currency,

        ----------  load metadata of the deal
        source_batch,
        source_file,
        source_row,
        loaded_at

    from with_rates

)

select * from final
