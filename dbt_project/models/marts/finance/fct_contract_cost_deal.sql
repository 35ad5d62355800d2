-- ASC 340-40 incremental costs of obtaining a contract, deal by deal
-- (docs/journals.md): one row per payee x deal x close period for deals whose
-- opportunity Type is in var capitalization_opportunity_types (New Business).
-- A deal's commission_amount is the sum of its shares of the commission
-- (int_commission_allocated_to_deals) over plans and components.
-- The deals of a payee and close month add up to its capitalization
-- (fct_contract_cost, contract_cost_id = employee_id|period).
-- cost_center: the payee's cost center in effect in the close month (as of its
-- last day, int_payee_period_hr); the capitalization keeps it and so does every
-- month of its amortization, even after the payee moves.
with

allocated as (

    select * from {{ ref('int_commission_allocated_to_deals') }}

),

credits as (

    select * from {{ ref('int_credits') }}

),

payee_periods as (

    select * from {{ ref('int_payee_period_hr') }}

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

final as (

    select
        ----------  ids
        per_deal.employee_id || '|' || per_deal.period as contract_cost_id,
        per_deal.employee_id,
        per_deal.opportunity_id,
        per_deal.opportunity_type,
        coalesce(payee_periods.cost_center, {{ unassigned_cost_center() }}) as cost_center,

        ----------  when
        per_deal.close_date,
        per_deal.period,

        ----------  amounts
        per_deal.currency,
        per_deal.commission_amount

    from per_deal
    left join payee_periods
        on per_deal.employee_id = payee_periods.employee_id
        and per_deal.period = payee_periods.period

)

select * from final
