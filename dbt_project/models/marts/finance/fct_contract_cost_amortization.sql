-- The ASC 340-40 amortization schedule (docs/journals.md): one row per
-- capitalization (fct_contract_cost: payee x close month, treatment 'capitalized') and
-- amortization month k = 1 .. N (N = the benefit period), straight-line from
-- the month after the close month.
--   regular month: A / N (to the 10th decimal) rounded half away from zero to
--                  the currency's minor unit; should (N - 1) of those exceed A
--                  (only for amounts below about 0.005 x N x (N - 1)), A / N cut
--                  down to the minor unit instead, so no month is negative;
--   last month k = N: A - (N - 1) x regular, the rounding remainder;
-- so the N amounts add up to the capitalized amount A exactly and the closing
-- balance of the last month is 0.
{%- set benefit_months = capitalization_benefit_months() %}
with

capitalized as (

    select * from {{ ref('fct_contract_cost') }}
    where treatment = 'capitalized'

),

periods as (

    select * from {{ ref('int_periods') }}

),

month_numbers as (

    {{ dbt.generate_series(benefit_months) }}

),

regular as (

    select
        capitalized.*,
        periods.period_start as close_period_start,
        {{ round_to_minor_unit(divide_money('capitalized.capitalized_amount', benefit_months), 'capitalized.currency') }}
            as rounded_share,
        {{ floor_to_minor_unit(divide_money('capitalized.capitalized_amount', benefit_months), 'capitalized.currency') }}
            as floored_share
    from capitalized
    inner join periods
        on capitalized.period = periods.period

),

monthly as (

    select
        regular.*,
        case
            when regular.rounded_share * {{ benefit_months - 1 }} > regular.capitalized_amount
                then regular.floored_share
            else regular.rounded_share
        end as regular_amortization
    from regular

),

schedule as (

    select
        monthly.contract_cost_id,
        monthly.employee_id,
        monthly.cost_center,
        monthly.currency,
        monthly.period as capitalization_period,
        monthly.capitalized_amount,
        month_numbers.generated_number as month_number,
        cast({{ dbt.dateadd('month', 'month_numbers.generated_number', 'monthly.close_period_start') }} as date)
            as amortization_period_start,
        {{ money('monthly.capitalized_amount - monthly.regular_amortization * (month_numbers.generated_number - 1)') }}
            as opening_balance,
        case
            when month_numbers.generated_number = {{ benefit_months }}
                then {{ money('monthly.capitalized_amount - monthly.regular_amortization * ' ~ (benefit_months - 1)) }}
            else monthly.regular_amortization
        end as amortization_amount
    from monthly
    cross join month_numbers

),

final as (

    select
        ----------  ids
        contract_cost_id,
        employee_id,
        cost_center,

        ----------  when
        capitalization_period,
        month_number,
        {{ period_of('amortization_period_start') }} as period,
        cast({{ dbt.last_day('amortization_period_start', 'month') }} as date) as posting_date,

        ----------  amounts
        currency,
        capitalized_amount,
        opening_balance,
        {{ money('amortization_amount') }} as amortization_amount,
        {{ money('opening_balance - amortization_amount') }} as closing_balance

    from schedule

)

select * from final
