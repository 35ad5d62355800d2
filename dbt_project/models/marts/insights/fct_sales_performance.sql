-- Win rate, average deal size and sales cycle per close month and deal owner
-- (SPEC §8), over closed deals (IsClosed) of the current CRM state:
--   win_rate               = won_deals / closed_deals (by count)
--   value_win_rate         = won_amount / closed_amount (corporate currency)
--   average_won_deal_size  = won_amount / won_deals_with_amount
--   average_sales_cycle_days = total_sales_cycle_days / won_deals, with a deal's
--                            cycle = CloseDate - CreatedDate (days) of won deals
-- Amounts are in the corporate currency at the CloseDate rate; a deal without
-- amount or rate counts in deal counts only. The owner is the CRM user's payee
-- (null for users without an HR worker, grouped together); team = the owner's
-- manager as of the month's last day. Sums are kept so BI can re-aggregate.
with

deals as (

    select * from {{ ref('int_planning_opportunities') }}
    where is_closed

),

teams as (

    select * from {{ ref('int_payee_period_teams') }}

),

closed as (

    select
        deals.*,
        {{ period_of('deals.close_date') }} as period,
        {{ plan_year_of('deals.close_date') }} as plan_year,
        {{ dbt.datediff('deals.created_date', 'deals.close_date', 'day') }} as sales_cycle_days
    from deals

),

grouped as (

    select
        period,
        plan_year,
        owner_employee_id,
        count(*) as closed_deals,
        sum(case when is_won then 1 else 0 end) as won_deals,
        sum(case when is_won then 0 else 1 end) as lost_deals,
        sum(amount_corporate) as closed_amount,
        sum(case when is_won then amount_corporate end) as won_amount,
        sum(case when is_won and amount_corporate is not null then 1 else 0 end) as won_deals_with_amount,
        sum(case when is_won then sales_cycle_days end) as total_sales_cycle_days
    from closed
    group by period, plan_year, owner_employee_id

),

final as (

    select
        cast(grouped.period as {{ dbt.type_string() }}) as period,
        cast(grouped.plan_year as {{ dbt.type_int() }}) as plan_year,
        cast(grouped.owner_employee_id as {{ dbt.type_string() }}) as employee_id,
        cast(teams.team_manager_employee_id as {{ dbt.type_string() }}) as team_manager_employee_id,
        cast(grouped.closed_deals as {{ dbt.type_bigint() }}) as closed_deals,
        cast(grouped.won_deals as {{ dbt.type_bigint() }}) as won_deals,
        cast(grouped.lost_deals as {{ dbt.type_bigint() }}) as lost_deals,
        {{ divide_money('grouped.won_deals', 'grouped.closed_deals') }} as win_rate,
        {{ money('coalesce(grouped.closed_amount, 0)') }} as closed_amount,
        {{ money('coalesce(grouped.won_amount, 0)') }} as won_amount,
        {{ divide_money('grouped.won_amount', 'grouped.closed_amount') }} as value_win_rate,
        cast(grouped.won_deals_with_amount as {{ dbt.type_bigint() }}) as won_deals_with_amount,
        {{ divide_money('grouped.won_amount', 'grouped.won_deals_with_amount') }} as average_won_deal_size,
        cast(coalesce(grouped.total_sales_cycle_days, 0) as {{ dbt.type_bigint() }}) as total_sales_cycle_days,
        {{ divide_money('grouped.total_sales_cycle_days', 'grouped.won_deals') }} as average_sales_cycle_days,
        cast('{{ var("corporate_currency") }}' as {{ dbt.type_string() }}) as currency
    from grouped
    left join teams
        on grouped.owner_employee_id = teams.employee_id
        and grouped.period = teams.period

)

select * from final
