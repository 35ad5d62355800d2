-- Territory fit, the cells (docs/insights.md "Territory fit"): per history
-- year (the calendar year of the deals' CloseDate), rep (the deal owner's HR
-- worker) and territory (a territory of territories.yaml, fct_account_territory's;
-- deals whose account is unknown are in the default one) the rep closed deals
-- in, the deals' counts and won amounts: what the two-way fit
-- (int_territory_two_way_fit) and fct_territory_fit are estimated from. Amounts
-- in the corporate currency (amount_corporate of int_planning_opportunities).
-- No DOUBLE here: the estimators cast to DOUBLE where they read the cells.
with

territories as (

    select * from {{ ref('stg_config__territories') }}

),

default_territory as (

    select territory_id from territories where is_default

),

accounts as (

    select * from {{ ref('int_accounts_territory_matched') }}

),

closed_deals as (

    select
        {{ plan_year_of('deals.close_date') }} as history_year,
        deals.owner_employee_id as employee_id,
        coalesce(accounts.territory_id, default_territory.territory_id) as territory_id,
        deals.is_won,
        case when deals.is_won then deals.amount_corporate end as won_amount
    from {{ ref('int_planning_opportunities') }} as deals
    cross join default_territory
    left join accounts
        on deals.account_id = accounts.account_id
    where deals.is_closed
        and deals.owner_employee_id is not null

),

rep_segments as (

    select
        history_year,
        employee_id,
        territory_id,
        count(*) as closed_deals,
        sum(case when is_won then 1 else 0 end) as won_deals,
        count(won_amount) as valued_won_deals,
        coalesce(sum(won_amount), 0) as won_bookings,
        -- exact (a decimal sum is the same in any order, so every build writes the same value): the
        -- amounts at 4 decimals, their squares at 8, within DECIMAL(38,10) for amounts below 1e14
        coalesce(sum(cast(won_amount as decimal(38, 4)) * cast(won_amount as decimal(38, 4))), 0) as won_amount_squares
    from closed_deals
    group by history_year, employee_id, territory_id

),

final as (

    select
        cast(history_year as {{ dbt.type_int() }}) as history_year,
        cast(employee_id as {{ dbt.type_string() }}) as employee_id,
        cast(territory_id as {{ dbt.type_string() }}) as territory_id,
        cast(closed_deals as {{ dbt.type_bigint() }}) as closed_deals,
        cast(won_deals as {{ dbt.type_bigint() }}) as won_deals,
        cast(valued_won_deals as {{ dbt.type_bigint() }}) as valued_won_deals,
        {{ money('won_bookings') }} as won_bookings,
        {{ money('won_amount_squares') }} as won_amount_squares
    from rep_segments

)

select * from final

