-- ASC 340-40 incremental costs of obtaining a contract (docs/journals.md): one
-- row per payee x deal x close period for deals whose opportunity Type is in
-- var capitalization_opportunity_types (New Business).
-- The commission of a payee, period, plan and component (fct_commission, earning
-- codes in var capitalization_earning_codes: COMMISSION, SPIF) is allocated to
-- the period's deals of that component (fct_commission_detail credit rows) pro
-- rata to their credit, by cumulative rounding in opportunity_id order so the
-- deals' shares add up to the commission exactly; a deal's commission_amount is
-- the sum of its shares over plans and components (a tier true-up or a cap is
-- shared like the rest of the month's commission).
-- treatment:
--   capitalized                   benefit period > 12 months and a positive amount:
--                                 capitalized_amount = commission_amount rounded once
--                                 to the currency's minor unit, amortized straight-line
--                                 from the month after the close month
--                                 (fct_contract_cost_amortization);
--   expensed_practical_expedient  benefit period <= 12 months: stays in commission expense;
--   not_capitalized               commission_amount rounds to 0 or less (a negative
--                                 true-up is not an asset): stays in commission expense.
{%- set benefit_months = capitalization_benefit_months() %}
with

commission as (

    select * from {{ ref('fct_commission') }}
    where earning_code in ({{ sql_string_list(capitalization_earning_codes()) }})

),

detail as (

    select * from {{ ref('fct_commission_detail') }}
    where detail_type = 'credit'

),

credits as (

    select * from {{ ref('fct_credit') }}

),

payees as (

    select * from {{ ref('dim_payee') }}

),

periods as (

    select * from {{ ref('dim_period') }}

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
        deal_credits_cumulated.opportunity_id,
        commission.currency,
        {{ money(
            divide_money('commission.commission_amount * deal_credits_cumulated.credit_cumulative',
                         'deal_credits_cumulated.credit_total')
            ~ ' - '
            ~ divide_money('commission.commission_amount * (deal_credits_cumulated.credit_cumulative - deal_credits_cumulated.credit_amount)',
                           'deal_credits_cumulated.credit_total')
        ) }} as allocated_amount
    from deal_credits_cumulated
    inner join commission
        on deal_credits_cumulated.employee_id = commission.employee_id
        and deal_credits_cumulated.period = commission.period
        and deal_credits_cumulated.plan_id = commission.plan_id
        and deal_credits_cumulated.component_id = commission.component_id
    where deal_credits_cumulated.credit_total <> 0

),

deal_types as (

    select
        opportunity_id,
        employee_id,
        min(opportunity_type) as opportunity_type,
        min(credit_date) as close_date
    from credits
    group by opportunity_id, employee_id

),

per_deal as (

    select
        allocated.employee_id,
        allocated.opportunity_id,
        allocated.period,
        allocated.currency,
        deal_types.opportunity_type,
        deal_types.close_date,
        {{ money('sum(allocated.allocated_amount)') }} as commission_amount
    from allocated
    inner join deal_types
        on allocated.opportunity_id = deal_types.opportunity_id
        and allocated.employee_id = deal_types.employee_id
    where deal_types.opportunity_type in ({{ sql_string_list(capitalization_opportunity_types()) }})
    group by
        allocated.employee_id, allocated.opportunity_id, allocated.period, allocated.currency,
        deal_types.opportunity_type, deal_types.close_date

),

treated as (

    select
        per_deal.*,
        {{ round_to_minor_unit('per_deal.commission_amount', 'per_deal.currency') }} as rounded_amount,
        case
            when {{ round_to_minor_unit('per_deal.commission_amount', 'per_deal.currency') }} <= 0
                then 'not_capitalized'
            when {{ benefit_months }} <= 12 then 'expensed_practical_expedient'
            else 'capitalized'
        end as treatment
    from per_deal

),

final as (

    select
        ----------  ids
        treated.employee_id || '|' || treated.opportunity_id || '|' || treated.period as contract_cost_id,
        treated.employee_id,
        treated.opportunity_id,
        treated.opportunity_type,
        coalesce(payees.cost_center, {{ unassigned_cost_center() }}) as cost_center,

        ----------  when
        treated.close_date,
        treated.period,
        periods.period_end as capitalization_date,

        ----------  amounts
        treated.currency,
        treated.commission_amount,
        treated.treatment,
        case when treated.treatment = 'capitalized' then treated.rounded_amount else {{ money('0') }} end
            as capitalized_amount,

        ----------  amortization
        {{ benefit_months }} as benefit_months,
        case when treated.treatment = 'capitalized' then
            {{ period_of(dbt.dateadd('month', 1, 'periods.period_start')) }}
        end as amortization_start_period,
        case when treated.treatment = 'capitalized' then
            {{ period_of(dbt.dateadd('month', benefit_months, 'periods.period_start')) }}
        end as amortization_end_period

    from treated
    inner join periods
        on treated.period = periods.period
    left join payees
        on treated.employee_id = payees.employee_id

)

select * from final
