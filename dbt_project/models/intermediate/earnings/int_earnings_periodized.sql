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

final as (

    select
        *,
        {{ money(
            'capped_year_to_date - coalesce(lag(capped_year_to_date) over (partition by employee_id, plan_id, component_id, plan_year order by period), 0)'
        ) }} as earnings_amount
    from capped

)

select * from final
