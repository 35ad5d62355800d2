-- The payees' own (owner and split) credits that count: every converted credit
-- of a deal creditable now (credit_status current), plus the credits of deals
-- lost after their plan's clawback window, which stand at the last won amount
-- (credit_status standing_after_window, SPEC §5). A won deal whose amount was
-- reduced after the window keeps its original credit instead of the current one.
-- Under a plan's clawback_policy commission_only, a change inside the window
-- leaves the credit booked the same way (credit_status commission_clawed_back:
-- the last won / original credit, for attainment and roll-up); fct_credit's
-- commission_credit_amount is what the commission still counts.
{{ spm.engine_incremental() }}
with

standing_credits as (

    select * from {{ spm.engine_scope(ref('int_credits_clawback_evaluated')) }}
    where clawback_status in ('standing_after_window', 'commission_clawed_back')

),

current_credits as (

    select * from {{ spm.engine_scope(ref('int_credits_converted')) }} as converted
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
        deal_amount, deal_currency, opportunity_type, credit_amount_deal_currency,
        case when clawback_status = 'commission_clawed_back' then 'commission_clawed_back' else 'standing_after_window' end,
        fx_rate_deal, fx_rate_payee, credit_amount, payee_currency,
        source_batch, source_file, source_row, loaded_at
    from standing_credits

)

select * from credits
