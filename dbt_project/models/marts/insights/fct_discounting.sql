-- Discounting per close month and product on won deals (SPEC §8): line-item
-- UnitPrice against the product's list price (derived in int_line_items_priced:
-- the highest UnitPrice of the product in the deal currency, as the contract
-- has no list price), in the corporate currency at the CloseDate rate:
--   list_value      = Σ Quantity * list_price
--   sold_value      = Σ TotalPrice
--   discount_amount = list_value - sold_value
--   discount_rate   = discount_amount / list_value
-- Lines of deals without a rate count in line_items and quantity only.
with

lines as (

    select * from {{ ref('int_line_items_priced') }}
    where is_won

),

grouped as (

    select
        {{ period_of('close_date') }} as period,
        {{ plan_year_of('close_date') }} as plan_year,
        product_id,
        max(product_family) as product_family,
        count(*) as line_items,
        count(distinct opportunity_id) as deals,
        sum(quantity) as quantity,
        sum(list_value_corporate) as list_value,
        sum(total_price_corporate) as sold_value,
        sum(discount_amount_corporate) as discount_amount,
        sum(case when discount_amount > 0 then 1 else 0 end) as discounted_line_items
    from lines
    group by {{ period_of('close_date') }}, {{ plan_year_of('close_date') }}, product_id

)

select
    cast(period as {{ dbt.type_string() }}) as period,
    cast(plan_year as {{ dbt.type_int() }}) as plan_year,
    cast(product_id as {{ dbt.type_string() }}) as product_id,
    cast(product_family as {{ dbt.type_string() }}) as product_family,
    cast(line_items as {{ dbt.type_bigint() }}) as line_items,
    cast(discounted_line_items as {{ dbt.type_bigint() }}) as discounted_line_items,
    cast(deals as {{ dbt.type_bigint() }}) as deals,
    {{ money('quantity') }} as quantity,
    {{ money('coalesce(list_value, 0)') }} as list_value,
    {{ money('coalesce(sold_value, 0)') }} as sold_value,
    {{ money('coalesce(discount_amount, 0)') }} as discount_amount,
    {{ divide_money('discount_amount', 'list_value') }} as discount_rate,
    cast('{{ var("corporate_currency") }}' as {{ dbt.type_string() }}) as currency
from grouped
