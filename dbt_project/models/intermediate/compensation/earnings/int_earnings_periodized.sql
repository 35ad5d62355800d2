-- Period earnings of every component (SPEC §5), from the to-date amounts:
-- True-up: the period's earning = earned_to_date(m) - earned_to_date(m - 1)
-- within the basis window (month, quarter, plan year), so it resets at each
-- window start and can be negative (a reversed credit, a fall below a gate or a
-- band). For basis period the window is the month itself: earning = earned(C, Q).
-- A quota bonus on basis quarter is therefore paid in the month the threshold
-- is first reached within the quarter (and reversed should attainment fall back).
-- Cap: the component's plan-year cumulative earnings are clipped at
-- cap_multiple_of_ti * TI; each period pays the difference of the clipped
-- cumulative, so the plan year never exceeds the cap.
-- Rounding (SPEC §5): the period pays the change of the rounded plan-year
-- cumulative, round(capped_year_to_date) - round(capped_year_to_date before),
-- each rounded half away from zero to the payee currency's minor unit. The
-- rounding telescopes: the lines of a plan year add up to the rounded plan-year
-- earning exactly (24,000.00 then three true-ups of -1,666.666... pay -1,666.67,
-- -1,666.66, -1,666.67: the year pays 19,000.00). exact_earnings_amount is the
-- change of the unrounded cumulative; fct_commission_detail shows the difference
-- as a 'rounding' line.
with

earned as (

    select * from {{ ref('int_earnings_to_date') }}

),

trued_up as (

    select
        *,
        {{ money(
            'earned_to_date - coalesce(lag(earned_to_date) over (partition by employee_id, plan_id, component_id, basis_window order by period), 0)'
        ) }} as uncapped_earnings
    from earned

),

cumulated as (

    select
        *,
        sum(uncapped_earnings) over (
            partition by employee_id, plan_id, component_id, plan_year
            order by period rows between unbounded preceding and current row
        ) as uncapped_year_to_date
    from trued_up

),

capped as (

    select
        *,
        {{ money('cap_multiple_of_ti * annual_target_incentive') }} as cap_amount,
        {{ money(
            'case when cap_multiple_of_ti is null then uncapped_year_to_date'
            ~ ' else least(uncapped_year_to_date, cap_multiple_of_ti * annual_target_incentive) end'
        ) }} as capped_year_to_date
    from cumulated

),

rounded as (

    select
        *,
        {{ round_to_minor_unit('capped_year_to_date', 'currency') }} as rounded_year_to_date
    from capped

),

final as (

    select
        *,
        {{ money(
            'capped_year_to_date - coalesce(lag(capped_year_to_date) over (partition by employee_id, plan_id, component_id, plan_year order by period), 0)'
        ) }} as exact_earnings_amount,
        {{ money(
            'rounded_year_to_date - coalesce(lag(rounded_year_to_date) over (partition by employee_id, plan_id, component_id, plan_year order by period), 0)'
        ) }} as earnings_amount
    from rounded

)

select * from final
