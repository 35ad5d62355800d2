-- The mart of int_credits_by_product_family (the rules and their comments are there): the same
-- rows and columns, read by Python and BI through the contract in fct_credit_by_product_family.yml.
select * from {{ ref('int_credits_by_product_family') }}
