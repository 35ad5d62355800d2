-- Proposed quota per plan year, territory and payee (SPEC §8 smart quotas):
-- the territory target (fct_territory_potential) split among the territory's
-- payees by their ramped capacity in the plan year,
--   capacity_months = Σ months of ramp_factor * assigned_days / days_in_month
-- (int_territory_assignment_months: the plan's new-hire ramp, days on the
-- territory while employed), with cumulative rounding to whole currency units
-- in employee_id order, the last payee taking the remainder: the proposals of
-- a territory add up to its target, and all proposals of a year to the
-- company target. proposed_quota is the ramped amount the payee is expected
-- to book in the year; proposed_full_year_quota = territory_target * 12 /
-- territory capacity_months is the full-year quota of a fully ramped payee
-- (what quotas.annual_quota holds, before ramp and proration).
with

territories as (

    select * from {{ ref('fct_territory_potential') }}
    where is_covered

),

capacity as (

    select
        plan_year,
        territory_id,
        employee_id,
        min(period) as first_period,
        max(period) as last_period,
        sum(assigned_days) as assigned_days,
        sum(capacity_months) as capacity_months
    from {{ ref('int_territory_assignment_months') }}
    group by plan_year, territory_id, employee_id

),

joined as (

    select
        territories.plan_year,
        territories.territory_id,
        capacity.employee_id,
        capacity.first_period,
        capacity.last_period,
        capacity.assigned_days,
        capacity.capacity_months,
        territories.capacity_months as territory_capacity_months,
        territories.territory_target,
        territories.currency,
        sum(capacity.capacity_months) over (
            partition by territories.plan_year, territories.territory_id
            order by capacity.employee_id
            rows between unbounded preceding and current row
        ) as cumulative_capacity
    from territories
    inner join capacity
        on territories.plan_year = capacity.plan_year
        and territories.territory_id = capacity.territory_id

),

cumulative as (

    select
        joined.*,
        case
            when cumulative_capacity = territory_capacity_months then territory_target
            else {{ money('round(' ~ divide_money('territory_target * cumulative_capacity', 'territory_capacity_months') ~ ', 0)') }}
        end as cumulative_quota
    from joined

),

final as (

    select
        cast(plan_year as {{ dbt.type_int() }}) as plan_year,
        cast(territory_id as {{ dbt.type_string() }}) as territory_id,
        cast(employee_id as {{ dbt.type_string() }}) as employee_id,
        cast(first_period as {{ dbt.type_string() }}) as first_period,
        cast(last_period as {{ dbt.type_string() }}) as last_period,
        cast(assigned_days as {{ dbt.type_int() }}) as assigned_days,
        {{ money('capacity_months') }} as capacity_months,
        {{ money('territory_capacity_months') }} as territory_capacity_months,
        {{ money('territory_target') }} as territory_target,
        {{ money('cumulative_quota - coalesce(lag(cumulative_quota) over (partition by plan_year, territory_id order by employee_id), 0)') }}
            as proposed_quota,
        {{ divide_money('territory_target * 12', 'territory_capacity_months') }} as proposed_full_year_quota,
        cast(currency as {{ dbt.type_string() }}) as currency
    from cumulative

)

select * from final
