-- The commission of each payee, period, plan and component (fct_commission,
-- every earning code) allocated to the period's
-- deals of that component (fct_commission_detail credit rows) pro rata to their
-- credit, by cumulative rounding in opportunity_id order (macro
-- allocated_through): share_k = allocated_through(commission, cumulative
-- credit_k, total) - allocated_through(commission, cumulative credit_(k-1),
-- total), so the shares add up to the commission exactly, also with credits of
-- a few cents. A tier true-up or a cap is shared like the rest of the month's
-- commission; a component row without deals (or whose credits total 0) is not
-- allocated. Read by int_commission_allocated_to_deals (the capitalized codes,
-- ASC 340-40, docs/journals.md) and int_earning_holds (what a component with
-- release on_invoice_paid holds per deal, docs/payment_workflow.md).
with

commission as (

    select * from {{ ref('int_commission') }}

),

detail as (

    select * from {{ ref('int_commission_detail') }}
    where detail_type = 'credit'

),

-- the deals of each commission row, with their credit (a manager's roll-up of
-- two reports on one deal counts once, summed)
deal_credits as (

    select
        detail.employee_id,
        detail.period,
        detail.plan_id,
        detail.component_id,
        detail.opportunity_id,
        {{ money('sum(detail.amount)') }} as credit_amount
    from detail
    group by detail.employee_id, detail.period, detail.plan_id, detail.component_id, detail.opportunity_id

),

deal_credits_cumulated as (

    select
        deal_credits.*,
        {{ money(
            'sum(credit_amount) over (partition by employee_id, period, plan_id, component_id
                order by opportunity_id rows between unbounded preceding and current row)'
        ) }} as credit_cumulative,
        {{ money('sum(credit_amount) over (partition by employee_id, period, plan_id, component_id)') }}
            as credit_total
    from deal_credits

),

allocated as (

    select
        deal_credits_cumulated.employee_id,
        deal_credits_cumulated.period,
        deal_credits_cumulated.plan_id,
        deal_credits_cumulated.component_id,
        deal_credits_cumulated.opportunity_id,
        commission.earning_code,
        commission.currency,
        deal_credits_cumulated.credit_amount,
        deal_credits_cumulated.credit_total,
        commission.commission_amount,
        {{ money(
            allocated_through('commission.commission_amount', 'deal_credits_cumulated.credit_cumulative',
                              'deal_credits_cumulated.credit_total')
            ~ ' - '
            ~ allocated_through('commission.commission_amount',
                                '(deal_credits_cumulated.credit_cumulative - deal_credits_cumulated.credit_amount)',
                                'deal_credits_cumulated.credit_total')
        ) }} as allocated_amount
    from deal_credits_cumulated
    inner join commission
        on deal_credits_cumulated.employee_id = commission.employee_id
        and deal_credits_cumulated.period = commission.period
        and deal_credits_cumulated.plan_id = commission.plan_id
        and deal_credits_cumulated.component_id = commission.component_id
    where deal_credits_cumulated.credit_total <> 0

)

select * from allocated
