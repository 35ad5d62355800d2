-- Credits reversed by the clawback rule (SPEC §5, crediting side): a payee's
-- own credit of a deal that was won and stopped being creditable (lost,
-- deleted, or amount reduced: then the reduction is reversed) within the clawback window of the payee's plan at the credit date
-- (change_date <= original CloseDate + window_days). Roll-up credit of the deal
-- goes with it. Changes after the window are not here: the credit stands in
-- fct_credit (credit_status standing_after_window). A plan without a window
-- lists nothing: the lost deal simply has no credit.
-- clawback_policy says what the clawback took back (the plan's option):
--   reverse_credit   the credit (fct_credit, attainment, roll-up and commission);
--   commission_only  the commission only: fct_credit keeps the booked credit
--                    (credit_status commission_clawed_back) and attainment
--                    counts it; the commission measure counts current_credit_amount.
with

evaluated as (

    select * from {{ ref('int_credits_clawback_evaluated') }}
    where clawback_status in ('reversed_in_window', 'commission_clawed_back')

),

final as (

    select
        ----------  ids
        opportunity_id,
        employee_id,
        credited_user_id,
        plan_id,
        credit_type,

        ----------  the original credit
        credit_date as original_close_date,
        {{ period_of('credit_date') }} as original_period,
        credit_amount as original_credit_amount,
        current_credit_amount,
        {{ money('credit_amount - current_credit_amount') }} as reversed_credit_amount,
        payee_currency,
        credit_amount_deal_currency as original_credit_amount_deal_currency,
        deal_currency,

        ----------  the change
        change_date,
        {{ period_of('change_date') }} as change_period,
        change_reason as reason,
        clawback_window_days as window_days,
        clawback_policy

    from evaluated

)

select * from final
