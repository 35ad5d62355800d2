-- Credit by product family (SPEC §3.5, for component filters on product Family):
-- one row per fct_credit row (deal × payee × credit_type × credited_from) and
-- product family of the deal's line items.
--   credit_amount = the credit * (TotalPrice of the family's line items / TotalPrice of all of them)
--   units         = Quantity of the family's line items * split_percentage / 100
-- (split_percentage is the credited payee's share; a roll-up row carries its
-- source credit's share). The families' credits are allocated by cumulative
-- rounding (families in name order, no family last; macro allocated_through):
--   family k gets round(C * P(k) / P) - round(C * P(k-1) / P), the last one
--   ending on C itself, with P(k) the cumulative TotalPrice, so they add up to
--   the credit exactly.
-- A deal without line items (or whose line items total 0) gets one row with
-- product_family null, the whole credit and null units. Line items whose
-- product has no Family form the family null.
{{ spm.engine_incremental() }}
with

credits as (

    select * from {{ spm.engine_scope(ref('int_credits')) }}

),

line_items as (

    select * from {{ spm.engine_scope(ref('stg_salesforce__opportunity_line_items')) }}

),

products as (

    select * from {{ ref('stg_salesforce__products') }}

),

family_totals as (

    select
        line_items.opportunity_id,
        products.product_family,
        sum(line_items.total_price) as family_total_price,
        sum(line_items.quantity) as family_quantity
    from line_items
    left join products
        on line_items.product_id = products.product_id
    group by line_items.opportunity_id, products.product_family

),

family_cumulative as (

    select
        *,
        sum(family_total_price) over (
            partition by opportunity_id
            order by case when product_family is null then 1 else 0 end, product_family
            rows between unbounded preceding and current row
        ) as cumulative_total_price,
        sum(family_total_price) over (partition by opportunity_id) as deal_total_price
    from family_totals

),

with_families as (

    select
        credits.*,
        family_cumulative.product_family,
        family_cumulative.family_total_price,
        family_cumulative.family_quantity,
        family_cumulative.deal_total_price,
        family_cumulative.cumulative_total_price,
        family_cumulative.cumulative_total_price - family_cumulative.family_total_price
            as previous_cumulative_total_price
    from credits
    inner join family_cumulative
        on credits.opportunity_id = family_cumulative.opportunity_id
    where family_cumulative.deal_total_price <> 0

),

family_credits as (

    select
        opportunity_id,
        employee_id,
        credited_from_employee_id,
        credit_type,
        rollup_level,
        credit_status,
        credit_date,
        period,
        plan_year,
        opportunity_type,
        split_percentage,
        payee_currency,
        credit_amount as deal_credit_amount,
        product_family,
        {{ money('family_total_price') }} as family_total_price,
        {{ money('deal_total_price') }} as deal_total_price,
        {{ divide_money('family_total_price', 'deal_total_price') }} as family_share,
        {{ money(
            allocated_through('credit_amount', 'cumulative_total_price', 'deal_total_price')
            ~ ' - ' ~ allocated_through('credit_amount', 'previous_cumulative_total_price', 'deal_total_price')
        ) }} as credit_amount,
        {{ divide_money('family_quantity * split_percentage', '100') }} as units
    from with_families

),

credits_without_line_items as (

    select
        opportunity_id,
        employee_id,
        credited_from_employee_id,
        credit_type,
        rollup_level,
        credit_status,
        credit_date,
        period,
        plan_year,
        opportunity_type,
        split_percentage,
        payee_currency,
        credit_amount as deal_credit_amount,
        cast(null as {{ dbt.type_string() }}) as product_family,
        cast(null as {{ spm.type_money() }}) as family_total_price,
        cast(null as {{ spm.type_money() }}) as deal_total_price,
        {{ money('1') }} as family_share,
        credit_amount,
        cast(null as {{ spm.type_money() }}) as units
    from credits
    where not exists (
        select 1 from family_cumulative
        where family_cumulative.opportunity_id = credits.opportunity_id
            and family_cumulative.deal_total_price <> 0
    )

),

final as (

    select * from family_credits
    union all
    select * from credits_without_line_items

)

select
    ----------  ids
    opportunity_id,
    employee_id,
    credited_from_employee_id,
    product_family,

    ----------  how
    credit_type,
    rollup_level,
    credit_status,
    opportunity_type,
    split_percentage,

    ----------  when
    credit_date,
    period,
    plan_year,

    ----------  line items
    family_total_price,
    deal_total_price,
    family_share,
    units,

    ----------  payee currency
    deal_credit_amount,
    credit_amount,
    payee_currency

from final
