-- ASC 340-40 capitalizations (docs/journals.md): one row per payee and close
-- month with commission on qualifying deals (fct_contract_cost_deal, whose
-- deals add up to commission_amount here), contract_cost_id = employee_id|period.
-- treatment:
--   capitalized                   benefit period > 12 months and commission_amount,
--                                 rounded once to the currency's minor unit, > 0:
--                                 capitalized_amount = that rounded amount, amortized
--                                 straight-line from the month after the close month
--                                 (fct_contract_cost_amortization);
--   expensed_practical_expedient  benefit period <= 12 months: stays in commission expense;
--   not_capitalized               the amount rounds to 0 or less (a negative true-up is
--                                 not an asset): stays in commission expense.
{%- set benefit_months = capitalization_benefit_months() %}
with

deals as (

    select * from {{ ref('fct_contract_cost_deal') }}

),

periods as (

    select * from {{ ref('int_periods') }}

),

per_payee_month as (

    select
        contract_cost_id,
        employee_id,
        period,
        currency,
        min(cost_center) as cost_center,
        count(*) as deal_count,
        {{ money('sum(commission_amount)') }} as commission_amount
    from deals
    group by contract_cost_id, employee_id, period, currency

),

treated as (

    select
        per_payee_month.*,
        {{ round_to_minor_unit('per_payee_month.commission_amount', 'per_payee_month.currency') }} as rounded_amount
    from per_payee_month

),

final as (

    select
        ----------  ids
        treated.contract_cost_id,
        treated.employee_id,
        treated.cost_center,

        ----------  when
        treated.period,
        periods.period_end as capitalization_date,

        ----------  amounts
        treated.currency,
        treated.deal_count,
        treated.commission_amount,
        case
            when treated.rounded_amount <= 0 then 'not_capitalized'
            {% if benefit_months <= 12 -%}
            else 'expensed_practical_expedient'
            {%- else -%}
            else 'capitalized'
            {%- endif %}
        end as treatment,
        case when treated.rounded_amount > 0 and {{ '1 = 0' if benefit_months <= 12 else '1 = 1' }}
            then treated.rounded_amount else {{ money('0') }}
        end as capitalized_amount,

        ----------  amortization
        {{ benefit_months }} as benefit_months,
        case when treated.rounded_amount > 0 and {{ '1 = 0' if benefit_months <= 12 else '1 = 1' }} then
            {{ period_of(dbt.dateadd('month', 1, 'periods.period_start')) }}
        end as amortization_start_period,
        case when treated.rounded_amount > 0 and {{ '1 = 0' if benefit_months <= 12 else '1 = 1' }} then
            {{ period_of(dbt.dateadd('month', benefit_months, 'periods.period_start')) }}
        end as amortization_end_period

    from treated
    inner join periods
        on treated.period = periods.period

)

select * from final
