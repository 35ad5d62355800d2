-- Territory potential and the company target allocated to territories, per
-- plan year with a company target (docs/planning.md, SPEC §8):
--   revenue_share   = territory's Σ AnnualRevenue / all accounts' Σ AnnualRevenue
--   history_share   = territory's won bookings / all won bookings, deals closed in
--                     [history_start, plan_year_start), corporate currency
--   potential_share = size_weight * revenue_share + history_weight * history_share
--                     (territories.yaml potential; 0.5 / 0.5 by default). Without
--                     any revenue (or any history) the other share alone counts.
-- The target goes to covered territories only (a payee assigned in the plan year,
-- capacity_months > 0), by potential_share renormalised over them (by
-- capacity_months should their potential be 0 in total), with cumulative
-- rounding to whole currency units in territory_id order, the last covered
-- territory taking the remainder: the territory targets add up to the target
-- exactly. Uncovered territories (the default one, usually) get 0 and are shown.
with

years as (

    select * from {{ ref('int_planning_years') }}

),

territories as (

    select * from {{ ref('stg_config__territories') }}

),

accounts as (

    select * from {{ ref('int_accounts_territory_matched') }}

),

deals as (

    select * from {{ ref('int_planning_opportunities') }}
    where is_won and amount_corporate is not null

),

default_territory as (

    select territory_id from territories where is_default

),

capacity as (

    select
        plan_year,
        territory_id,
        count(distinct employee_id) as payees,
        sum(capacity_months) as capacity_months
    from {{ ref('int_territory_assignment_months') }}
    group by plan_year, territory_id

),

account_sizes as (

    select
        territory_id,
        count(*) as accounts,
        sum(coalesce(annual_revenue, 0)) as annual_revenue
    from accounts
    group by territory_id

),

history as (

    select
        years.plan_year,
        coalesce(accounts.territory_id, default_territory.territory_id) as territory_id,
        count(*) as won_deals,
        sum(deals.amount_corporate) as won_bookings
    from years
    cross join default_territory
    inner join deals
        on deals.close_date >= years.history_start
        and deals.close_date < years.plan_year_start
    left join accounts
        on deals.account_id = accounts.account_id
    group by years.plan_year, coalesce(accounts.territory_id, default_territory.territory_id)

),

grid as (

    select
        years.plan_year,
        years.target_amount,
        years.currency,
        years.size_weight,
        years.history_weight,
        years.history_start,
        years.plan_year_start,
        territories.territory_id,
        territories.territory_name,
        territories.is_default,
        coalesce(account_sizes.accounts, 0) as accounts,
        {{ money('coalesce(account_sizes.annual_revenue, 0)') }} as annual_revenue,
        coalesce(history.won_deals, 0) as won_deals,
        {{ money('coalesce(history.won_bookings, 0)') }} as won_bookings,
        coalesce(capacity.payees, 0) as payees,
        {{ money('coalesce(capacity.capacity_months, 0)') }} as capacity_months
    from years
    cross join territories
    left join account_sizes
        on territories.territory_id = account_sizes.territory_id
    left join history
        on years.plan_year = history.plan_year
        and territories.territory_id = history.territory_id
    left join capacity
        on years.plan_year = capacity.plan_year
        and territories.territory_id = capacity.territory_id

),

totals as (

    select
        grid.*,
        sum(annual_revenue) over (partition by plan_year) as total_revenue,
        sum(won_bookings) over (partition by plan_year) as total_bookings
    from grid

),

shares as (

    select
        totals.*,
        {{ divide_money('annual_revenue', 'total_revenue') }} as revenue_share,
        {{ divide_money('won_bookings', 'total_bookings') }} as history_share
    from totals

),

potential as (

    select
        shares.*,
        case
            when total_revenue = 0 and total_bookings = 0 then {{ money('0') }}
            when total_revenue = 0 then history_share
            when total_bookings = 0 then revenue_share
            else {{ divide_money('size_weight * revenue_share + history_weight * history_share', '1') }}
        end as potential_share,
        capacity_months > 0 as is_covered
    from shares

),

weighted as (

    select
        potential.*,
        sum(case when is_covered then potential_share else 0 end) over (partition by plan_year)
            as covered_potential
    from potential

),

allocation as (

    select
        weighted.*,
        {{ money(
            "case when not is_covered then 0 when covered_potential > 0 then potential_share else capacity_months end"
        ) }} as allocation_weight
    from weighted

),

cumulative as (

    select
        allocation.*,
        sum(allocation_weight) over (
            partition by plan_year order by territory_id rows between unbounded preceding and current row
        ) as cumulative_weight,
        sum(allocation_weight) over (partition by plan_year) as total_weight
    from allocation

),

cumulative_targets as (

    select
        cumulative.*,
        case
            when total_weight = 0 then {{ money('0') }}
            when cumulative_weight = total_weight then target_amount
            else {{ money('round(' ~ divide_money('target_amount * cumulative_weight', 'total_weight') ~ ', 0)') }}
        end as cumulative_target
    from cumulative

),

final as (

    select
        cast(plan_year as {{ dbt.type_int() }}) as plan_year,
        cast(territory_id as {{ dbt.type_string() }}) as territory_id,
        cast(territory_name as {{ dbt.type_string() }}) as territory_name,
        cast(is_default as {{ dbt.type_boolean() }}) as is_default_territory,
        cast(accounts as {{ dbt.type_bigint() }}) as accounts,
        {{ money('annual_revenue') }} as annual_revenue,
        {{ money('revenue_share') }} as revenue_share,
        cast(history_start as date) as history_start,
        cast(won_deals as {{ dbt.type_bigint() }}) as history_won_deals,
        {{ money('won_bookings') }} as history_won_bookings,
        {{ money('history_share') }} as history_share,
        {{ money('size_weight') }} as size_weight,
        {{ money('history_weight') }} as history_weight,
        {{ money('potential_share') }} as potential_share,
        cast(payees as {{ dbt.type_bigint() }}) as payees,
        {{ money('capacity_months') }} as capacity_months,
        cast(is_covered as {{ dbt.type_boolean() }}) as is_covered,
        {{ money('allocation_weight') }} as allocation_weight,
        {{ money('cumulative_target - coalesce(lag(cumulative_target) over (partition by plan_year order by territory_id), 0)') }}
            as territory_target,
        cast(currency as {{ dbt.type_string() }}) as currency
    from cumulative_targets

)

select * from final
