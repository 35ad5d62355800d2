-- Capacity planning per plan year with a company target (SPEC §8):
--   observed productivity  = won bookings in [history_start, plan_year_start)
--                            (all won deals, corporate currency, at the CloseDate rate)
--                            * 12 / capacity months of territory payees in that window
--                            (ramp_factor * assigned days / days in month, summed)
--                            = bookings per fully ramped payee-year; in the target
--                            currency at the plan year's first-day rate
--   fully_ramped_payees_needed = target / productivity (and rounded up)
--   planned_bookings       = productivity * planned capacity months of the plan year / 12
--   capacity_gap           = max(0, target - planned_bookings)
--   new_hire_capacity_months = Σ over employment months 1..12 of the new-hire plan's
--                            ramp factor (1.0 beyond its ramp; 12 without a plan)
--   new_hires_needed       = ceil(capacity_gap / (productivity * new_hire_capacity_months / 12)),
--                            hires starting on the plan year's first day
-- Productivity is null without territory capacity in the history window, and
-- everything derived from it then too.
with

years as (

    select * from {{ ref('int_planning_years') }}

),

deals as (

    select * from {{ ref('int_planning_opportunities') }}
    where is_won and amount_corporate is not null

),

months as (

    select * from {{ ref('int_territory_assignment_months') }}

),

periods as (

    select * from {{ ref('int_periods') }}

),

history_bookings as (

    select
        years.plan_year,
        count(*) as won_deals,
        sum(deals.amount_corporate) as won_bookings
    from years
    inner join deals
        on deals.close_date >= years.history_start
        and deals.close_date < years.plan_year_start
    group by years.plan_year

),

history_capacity as (

    select
        years.plan_year,
        sum(months.capacity_months) as capacity_months
    from years
    inner join months
        on months.period >= {{ period_of('years.history_start') }}
        and months.period < {{ period_of('years.plan_year_start') }}
    group by years.plan_year

),

planned_capacity as (

    select
        plan_year,
        count(distinct employee_id) as payees,
        sum(capacity_months) as capacity_months
    from months
    group by plan_year

),

new_hire_ramps as (

    select
        years.plan_year,
        sum(1 - ramps.quota_factor) as ramp_shortfall_months
    from years
    inner join {{ ref('stg_config__plan_ramps') }} as ramps
        on years.new_hire_plan_id = ramps.plan_id
        and ramps.employment_month between 1 and 12
    group by years.plan_year

),

joined as (

    select
        years.plan_year,
        years.target_amount,
        years.currency,
        years.fx_rate_target,
        years.history_start,
        years.new_hire_plan_id,
        coalesce(history_bookings.won_deals, 0) as history_won_deals,
        {{ money('coalesce(history_bookings.won_bookings, 0)') }} as history_won_bookings,
        {{ money('coalesce(history_capacity.capacity_months, 0)') }} as history_capacity_months,
        coalesce(planned_capacity.payees, 0) as planned_payees,
        {{ money('coalesce(planned_capacity.capacity_months, 0)') }} as planned_capacity_months,
        {{ money('12 - coalesce(new_hire_ramps.ramp_shortfall_months, 0)') }} as new_hire_capacity_months
    from years
    left join history_bookings
        on years.plan_year = history_bookings.plan_year
    left join history_capacity
        on years.plan_year = history_capacity.plan_year
    left join planned_capacity
        on years.plan_year = planned_capacity.plan_year
    left join new_hire_ramps
        on years.plan_year = new_hire_ramps.plan_year

),

productivity as (

    select
        joined.*,
        {{ divide_money('history_won_bookings * 12', 'history_capacity_months') }} as productivity_corporate
    from joined

),

in_target_currency as (

    select
        productivity.*,
        {{ divide_money('productivity_corporate * fx_rate_target', '1') }} as productivity
    from productivity

),

planned as (

    select
        in_target_currency.*,
        {{ divide_money('target_amount', 'productivity') }} as fully_ramped_payees_needed,
        {{ divide_money('productivity * planned_capacity_months', '12') }} as planned_bookings,
        {{ divide_money('productivity * new_hire_capacity_months', '12') }} as new_hire_first_year_bookings
    from in_target_currency

),

gaps as (

    select
        planned.*,
        case
            when planned_bookings is null then null
            when target_amount > planned_bookings then {{ money('target_amount - planned_bookings') }}
            else {{ money('0') }}
        end as capacity_gap
    from planned

),

final as (

    select
        cast(plan_year as {{ dbt.type_int() }}) as plan_year,
        {{ money('target_amount') }} as target_amount,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(history_start as date) as history_start,
        cast(history_won_deals as {{ dbt.type_bigint() }}) as history_won_deals,
        {{ money('history_won_bookings') }} as history_won_bookings,
        {{ money('history_capacity_months') }} as history_capacity_months,
        {{ money('productivity_corporate') }} as productivity_corporate,
        {{ money('fx_rate_target') }} as fx_rate_target,
        {{ money('productivity') }} as productivity,
        {{ money('fully_ramped_payees_needed') }} as fully_ramped_payees_needed,
        cast(ceil(fully_ramped_payees_needed) as {{ dbt.type_int() }}) as fully_ramped_payees_needed_rounded_up,
        cast(planned_payees as {{ dbt.type_int() }}) as planned_payees,
        {{ money('planned_capacity_months') }} as planned_capacity_months,
        {{ money('planned_bookings') }} as planned_bookings,
        {{ money('capacity_gap') }} as capacity_gap,
        cast(new_hire_plan_id as {{ dbt.type_string() }}) as new_hire_plan_id,
        {{ money('new_hire_capacity_months') }} as new_hire_capacity_months,
        {{ money('new_hire_first_year_bookings') }} as new_hire_first_year_bookings,
        cast(
            case
                when capacity_gap is null or new_hire_first_year_bookings is null then null
                when capacity_gap = 0 then 0
                else ceil({{ divide_money('capacity_gap', 'new_hire_first_year_bookings') }})
            end
            as {{ dbt.type_int() }}
        ) as new_hires_needed,
        cast('{{ var("corporate_currency") }}' as {{ dbt.type_string() }}) as corporate_currency
    from gaps

)

select * from final
