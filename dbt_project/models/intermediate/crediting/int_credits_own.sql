-- The payees' own (owner and split) credits that count: every converted credit
-- of a deal creditable now (credit_status current), plus the credits of deals
-- lost after their plan's clawback window, which stand at the last won amount
-- (credit_status standing_after_window, SPEC §5). A won deal whose amount was
-- reduced after the window keeps its original credit instead of the current one.
with

standing_credits as (

    select * from {{ ref('int_credits_clawback_evaluated') }}
    where clawback_status = 'standing_after_window'

),

current_credits as (

    select * from {{ ref('int_credits_converted') }} as converted
    where credit_status = 'current'
        and credit_amount is not null
        and not exists (
            select 1 from standing_credits
            where standing_credits.opportunity_id = converted.opportunity_id
                and standing_credits.employee_id = converted.employee_id
        )

),

credits as (

    select
        opportunity_id, employee_id, credited_user_id, credit_date, period, credit_type, split_percentage,
        deal_amount, deal_currency, opportunity_type, credit_amount_deal_currency, credit_status,
        fx_rate_deal, fx_rate_payee, credit_amount, payee_currency,
        source_batch, source_file, source_row, loaded_at
    from current_credits

    union all

    select
        opportunity_id, employee_id, credited_user_id, credit_date, period, credit_type, split_percentage,
        deal_amount, deal_currency, opportunity_type, credit_amount_deal_currency, 'standing_after_window',
        fx_rate_deal, fx_rate_payee, credit_amount, payee_currency,
        source_batch, source_file, source_row, loaded_at
    from standing_credits

)

select * from credits
