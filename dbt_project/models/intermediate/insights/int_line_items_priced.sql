-- Line items of current deals with the product's list price and the discount.
-- The landing contract has no list price (Salesforce keeps it on
-- PricebookEntry, which is not exported), so it is derived:
--   list_price(product, currency) = the highest UnitPrice of the product in that
--   currency on any current deal's line item (the undiscounted price, when at
--   least one sale was at list)
--   list_value = Quantity * list_price;  discount_amount = list_value - TotalPrice
-- Amounts in the corporate currency divide by the deal's CloseDate rate
-- (int_planning_opportunities), one exact division each.
-- Incremental by deal (docs/incremental.md): the list prices are computed over
-- every current deal on each build (one aggregate), and an incremental build
-- recomputes the line items of the deals in the engine scope and of every
-- deal with a line item whose list price changed (the strategy replaces the
-- rows of both).
{{ spm.engine_incremental() }}
with

deals as (

    select * from {{ ref('int_planning_opportunities') }}

),

list_prices as (

    select
        line_items.product_id,
        deals.deal_currency,
        max(line_items.unit_price) as list_price
    from {{ ref('stg_salesforce__opportunity_line_items') }} as line_items
    inner join deals
        on line_items.opportunity_id = deals.opportunity_id
    group by line_items.product_id, deals.deal_currency

),

{% if spm.engine_is_incremental() %}
-- the deals whose rows hold a list price that is no longer the list price
repriced as (

    select distinct previous.opportunity_id
    from {{ this }} as previous
    inner join list_prices
        on previous.product_id is not distinct from list_prices.product_id
        and previous.deal_currency is not distinct from list_prices.deal_currency
    where previous.list_price is distinct from list_prices.list_price

),
{% endif %}

line_items as (

    select * from {{ ref('stg_salesforce__opportunity_line_items') }}
    {% if spm.engine_is_incremental() -%}
    where {{ spm.engine_in_scope('opportunity_id') }}
        or opportunity_id in (select opportunity_id from repriced)
    {%- endif %}

),

products as (

    select * from {{ ref('stg_salesforce__products') }}

),

priced as (

    select
        line_items.line_item_id,
        line_items.opportunity_id,
        line_items.product_id,
        products.product_family,
        deals.is_closed,
        deals.is_won,
        deals.close_date,
        deals.deal_currency,
        deals.fx_rate_deal,
        line_items.quantity,
        line_items.unit_price,
        line_items.total_price,
        list_prices.list_price
    from line_items
    inner join deals
        on line_items.opportunity_id = deals.opportunity_id
    left join products
        on line_items.product_id = products.product_id
    left join list_prices
        on line_items.product_id is not distinct from list_prices.product_id
        and deals.deal_currency is not distinct from list_prices.deal_currency

)

select
    priced.*,
    {{ money('quantity * list_price') }} as list_value,
    {{ money('quantity * list_price - total_price') }} as discount_amount,
    {{ divide_money('total_price', 'fx_rate_deal') }} as total_price_corporate,
    {{ divide_money('quantity * list_price', 'fx_rate_deal') }} as list_value_corporate,
    {{ divide_money('quantity * list_price - total_price', 'fx_rate_deal') }} as discount_amount_corporate
from priced
