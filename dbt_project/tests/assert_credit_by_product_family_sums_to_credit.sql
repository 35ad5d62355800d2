-- Product-family credit (SPEC §3.5) adds up, for every fct_credit row, to
-- exactly its credit, and no credit is missing. Returns the rows that differ.

-- Dagster shows this test as an asset check of fct_credit_by_product_family.
{{ config(meta={'dagster': {'ref': {'name': 'fct_credit_by_product_family'}}}) }}

with

credits as (

    select * from {{ ref('fct_credit') }}

),

by_family as (

    select
        opportunity_id,
        employee_id,
        credit_type,
        credited_from_employee_id,
        sum(credit_amount) as credit_amount
    from {{ ref('fct_credit_by_product_family') }}
    group by opportunity_id, employee_id, credit_type, credited_from_employee_id

)

select
    coalesce(credits.opportunity_id, by_family.opportunity_id) as opportunity_id,
    coalesce(credits.employee_id, by_family.employee_id) as employee_id,
    credits.credit_amount as credit_amount,
    by_family.credit_amount as family_credit_total
from credits
full outer join by_family
    on credits.opportunity_id = by_family.opportunity_id
    and credits.employee_id = by_family.employee_id
    and credits.credit_type = by_family.credit_type
    and credits.credited_from_employee_id = by_family.credited_from_employee_id
where credits.opportunity_id is null
    or by_family.opportunity_id is null
    or credits.credit_amount <> by_family.credit_amount
