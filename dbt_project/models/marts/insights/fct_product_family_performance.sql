-- Product-family performance per close month (SPEC §8), from the line items
-- of closed deals (a deal counts once per family it holds; deals without line
-- items are not here), corporate currency at the CloseDate rate:
--   win_rate          = won_deals / closed_deals (deals holding the family)
--   won_amount        = Σ TotalPrice of the family's lines on won deals
--   won_units         = Σ Quantity of those lines
--   average_unit_price = won_amount / won_units
--   won_amount_share  = won_amount / Σ won_amount of all families in the month
--   discount_rate     = (list value - TotalPrice) / list value (int_line_items_priced)
-- A null Product2.Family is reported as product_family null.
with

lines as (

    select * from {{ ref('int_line_items_priced') }}
    where is_closed

),

deal_families as (

    select
        {{ period_of('close_date') }} as period,
        {{ plan_year_of('close_date') }} as plan_year,
        product_family,
        opportunity_id,
        max(case when is_won then 1 else 0 end) as is_won,
        sum(case when is_won then total_price_corporate end) as won_amount,
        sum(case when is_won then quantity end) as won_units,
        sum(case when is_won then list_value_corporate end) as won_list_value,
        sum(case when is_won then discount_amount_corporate end) as won_discount
    from lines
    group by {{ period_of('close_date') }}, {{ plan_year_of('close_date') }}, product_family, opportunity_id

),

grouped as (

    select
        period,
        plan_year,
        product_family,
        count(*) as closed_deals,
        sum(is_won) as won_deals,
        sum(won_amount) as won_amount,
        sum(won_units) as won_units,
        sum(won_list_value) as won_list_value,
        sum(won_discount) as won_discount
    from deal_families
    group by period, plan_year, product_family

),

with_totals as (

    select
        grouped.*,
        sum(won_amount) over (partition by period) as period_won_amount
    from grouped

)

select
    cast(period as {{ dbt.type_string() }}) as period,
    cast(plan_year as {{ dbt.type_int() }}) as plan_year,
    cast(product_family as {{ dbt.type_string() }}) as product_family,
    cast(closed_deals as {{ dbt.type_bigint() }}) as closed_deals,
    cast(won_deals as {{ dbt.type_bigint() }}) as won_deals,
    {{ divide_money('won_deals', 'closed_deals') }} as win_rate,
    {{ money('coalesce(won_amount, 0)') }} as won_amount,
    {{ money('coalesce(won_units, 0)') }} as won_units,
    {{ divide_money('won_amount', 'won_units') }} as average_unit_price,
    {{ divide_money('won_amount', 'period_won_amount') }} as won_amount_share,
    {{ divide_money('won_discount', 'won_list_value') }} as discount_rate,
    cast('{{ var("corporate_currency") }}' as {{ dbt.type_string() }}) as currency
from with_totals
