-- Clawback, crediting side (SPEC §5): each payee's credit of a deal that was
-- won and is no longer creditable (credit_status lost_after_win), computed at
-- the deal's last won version, with the clawback window of the plan the payee
-- was on at the credit date (usable assignment covering the CloseDate; the
-- later start wins; stg_config__plans.clawback_window_days):
--   reversed_in_window     change_date <= CloseDate + window days, plan
--                          clawback_policy reverse_credit (the default): the
--                          credit is reversed (listed in fct_clawback)
--   commission_clawed_back change_date in the window, clawback_policy
--                          commission_only: the credit stands as booked
--                          (fct_credit at the last won / original amount,
--                          fct_attainment, roll-up), but the commission measure
--                          counts only current_credit_amount of it
--                          (fct_credit.commission_credit_amount; listed in
--                          fct_clawback)
--   standing_after_window  the change came later: the original credit stands
--                          (fct_credit keeps it at the last won amount)
--   reversed_no_window     no plan or no window: the lost deal simply has no
--                          credit (and is not listed as a clawback)
-- A won deal whose amount was reduced (int_opportunities_amount_reduced) is
-- evaluated the same way on its current credit row: the original credit is
-- the original amount times the payee's split share, converted with the same
-- rates; reversed in the window (the current, lower credit counts), standing
-- after it (the original credit counts). current_credit_amount is what remains
-- credited when the change is reversed (0 for a lost or deleted deal).
{{ spm.engine_incremental() }}
with

lost_credits as (

    select
        opportunity_id, employee_id, credited_user_id, credit_date, period, credit_type, split_percentage,
        deal_amount, deal_currency, opportunity_type, credit_amount_deal_currency,
        fx_rate_deal, fx_rate_payee, credit_amount, payee_currency,
        {{ money('0') }} as current_credit_amount,
        change_date, change_reason,
        source_batch, source_file, source_row, loaded_at
    from {{ spm.engine_scope(ref('int_credits_converted')) }}
    where credit_status = 'lost_after_win'
        and credit_amount is not null

),

reduced_deals as (

    select * from {{ spm.engine_scope(ref('int_opportunities_amount_reduced')) }}

),

reduced_shares as (

    select
        converted.*,
        reduced_deals.original_amount,
        reduced_deals.change_date as reduction_date,
        reduced_deals.change_reason as reduction_reason,
        {{ divide_money('reduced_deals.original_amount * converted.split_percentage', '100') }}
            as original_credit_amount_deal_currency
    from {{ spm.engine_scope(ref('int_credits_converted')) }} as converted
    inner join reduced_deals
        on converted.opportunity_id = reduced_deals.opportunity_id
    where converted.credit_status = 'current'
        and converted.credit_amount is not null

),

reduced_credits as (

    select
        opportunity_id, employee_id, credited_user_id, credit_date, period, credit_type, split_percentage,
        original_amount as deal_amount, deal_currency, opportunity_type,
        original_credit_amount_deal_currency as credit_amount_deal_currency,
        fx_rate_deal, fx_rate_payee,
        case
            when deal_currency = payee_currency then original_credit_amount_deal_currency
            else {{ divide_money('original_credit_amount_deal_currency * fx_rate_payee', 'fx_rate_deal') }}
        end as credit_amount,
        payee_currency,
        credit_amount as current_credit_amount,
        reduction_date as change_date, reduction_reason as change_reason,
        source_batch, source_file, source_row, loaded_at
    from reduced_shares

),

credits as (

    select * from lost_credits
    union all
    select * from reduced_credits

),

assignments as (

    select * from {{ ref('int_plan_assignments_validated') }}
    where quarantine_rule is null

),

plans as (

    select * from {{ ref('stg_config__plans') }}

),

assigned as (

    select
        credits.opportunity_id,
        credits.employee_id,
        assignments.plan_id,
        row_number() over (
            partition by credits.opportunity_id, credits.employee_id
            order by assignments.start_date desc
        ) as assignment_rank
    from credits
    inner join assignments
        on credits.employee_id = assignments.employee_id
        and assignments.start_date <= credits.credit_date
        and credits.credit_date <= coalesce(assignments.end_date, {{ open_end_date() }})

),

with_window as (

    select
        credits.*,
        assigned.plan_id,
        plans.clawback_window_days,
        coalesce(plans.clawback_policy, 'reverse_credit') as clawback_policy,
        cast({{ dbt.dateadd('day', 'plans.clawback_window_days', 'credits.credit_date') }} as date) as window_end_date
    from credits
    left join assigned
        on credits.opportunity_id = assigned.opportunity_id
        and credits.employee_id = assigned.employee_id
        and assigned.assignment_rank = 1
    left join plans
        on assigned.plan_id = plans.plan_id

),

final as (

    select
        *,
        case
            when clawback_window_days is null then 'reversed_no_window'
            when change_date <= window_end_date and clawback_policy = 'commission_only' then 'commission_clawed_back'
            when change_date <= window_end_date then 'reversed_in_window'
            else 'standing_after_window'
        end as clawback_status
    from with_window

)

select * from final
