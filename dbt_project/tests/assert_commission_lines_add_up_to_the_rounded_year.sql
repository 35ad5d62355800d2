-- SPEC §5 rounding telescopes: a component's lines of a plan year add up
-- exactly to its plan-year earning rounded once to the currency's minor unit
-- (each line is round(cumulative now) - round(cumulative before)).
{{ config(meta={'dagster': {'ref': {'name': 'int_earnings_periodized'}}}) }}

with

periodized as (

    select * from {{ ref('int_earnings_periodized') }}

),

years as (

    select
        employee_id,
        plan_id,
        component_id,
        plan_year,
        currency,
        sum(earnings_amount) as paid_in_lines,
        max(period) as last_period
    from periodized
    group by employee_id, plan_id, component_id, plan_year, currency

)

select years.*, periodized.capped_year_to_date
from years
inner join periodized
    on years.employee_id = periodized.employee_id
    and years.plan_id = periodized.plan_id
    and years.component_id = periodized.component_id
    and years.last_period = periodized.period
where years.paid_in_lines <> {{ round_to_minor_unit('periodized.capped_year_to_date', 'years.currency') }}
