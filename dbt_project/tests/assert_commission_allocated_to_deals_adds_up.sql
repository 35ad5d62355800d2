-- ASC 340-40 allocation (int_commission_allocated_to_deals): the deals' shares
-- of a commission row add up to the commission exactly. Returns the rows that
-- do not.

-- Dagster shows this test as an asset check of int_commission_allocated_to_deals.
{{ config(meta={'dagster': {'ref': {'name': 'int_commission_allocated_to_deals'}}}) }}

select employee_id, period, plan_id, component_id, min(commission_amount) as commission_amount,
    sum(allocated_amount) as allocated_total
from {{ ref('int_commission_allocated_to_deals') }}
group by employee_id, period, plan_id, component_id
having sum(allocated_amount) <> min(commission_amount)
    or min(commission_amount) <> max(commission_amount)
