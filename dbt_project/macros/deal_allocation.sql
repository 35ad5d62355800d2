{#
  commission_allocated_to_deals(name, release=none): the allocation rule of
  int_earnings_allocated_to_deals, as CTEs of the calling model ending in one
  named `name`. The commission of each payee, period, plan and component
  (int_commission, every earning code) is shared among the period's deals of
  that component (int_commission_detail credit rows, a manager's roll-up of two
  reports on one deal counted once) pro rata to their credit, by cumulative
  rounding in opportunity_id order (macro allocated_through):
      share_k = allocated_through(commission, cumulative credit_k, total)
              - allocated_through(commission, cumulative credit_(k-1), total)
  so the shares add up to the commission exactly, also with credits of a few
  cents. A component row without deals (or whose credits total 0) is not
  allocated.

  Each component's allocation reads only that component's rows, so with
  `release` (a plan component's release, e.g. 'on_invoice_paid') the CTEs keep
  only the components released that way, and their rows are the same as the
  whole model's: int_earning_holds allocates only what it holds, and the
  payout forecast's scenario build (+fct_payable) never allocates the other
  components (docs/forecasts.md §7).
#}
{% macro commission_allocated_to_deals(name, release=none) -%}
{%- set cte = name ~ '__' -%}
{%- if release is not none %}
{{ cte }}components as (

    select plan_id, component_id
    from {{ ref('stg_config__plan_components') }}
    where release = '{{ release }}'

),
{%- endif %}

{{ cte }}commission as (

    select commission.*
    from {{ ref('int_commission') }} as commission
    {{- _released_components_only(cte, release, 'commission') }}

),

-- the deals of each commission row, with their credit (a manager's roll-up of
-- two reports on one deal counts once, summed)
{{ cte }}deal_credits as (

    select
        detail.employee_id,
        detail.period,
        detail.plan_id,
        detail.component_id,
        detail.opportunity_id,
        {{ money('sum(detail.amount)') }} as credit_amount
    from {{ ref('int_commission_detail') }} as detail
    {{- _released_components_only(cte, release, 'detail') }}
    where detail.detail_type = 'credit'
    group by detail.employee_id, detail.period, detail.plan_id, detail.component_id, detail.opportunity_id

),

{{ cte }}deal_credits_cumulated as (

    select
        deal_credits.*,
        {{ money(
            'sum(credit_amount) over (partition by employee_id, period, plan_id, component_id
                order by opportunity_id rows between unbounded preceding and current row)'
        ) }} as credit_cumulative,
        {{ money('sum(credit_amount) over (partition by employee_id, period, plan_id, component_id)') }}
            as credit_total
    from {{ cte }}deal_credits as deal_credits

),

{{ name }} as (

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
    from {{ cte }}deal_credits_cumulated as deal_credits_cumulated
    inner join {{ cte }}commission as commission
        on deal_credits_cumulated.employee_id = commission.employee_id
        and deal_credits_cumulated.period = commission.period
        and deal_credits_cumulated.plan_id = commission.plan_id
        and deal_credits_cumulated.component_id = commission.component_id
    where deal_credits_cumulated.credit_total <> 0

)
{%- endmacro %}



{# With `release`: an inner join of `alias` (keyed by plan_id, component_id) to the CTE of the
   components released that way; nothing without. #}
{% macro _released_components_only(cte, release, alias) -%}
    {%- if release is not none %}
    inner join {{ cte }}components as components
        on {{ alias }}.plan_id = components.plan_id
        and {{ alias }}.component_id = components.component_id
    {%- endif %}
{%- endmacro %}
