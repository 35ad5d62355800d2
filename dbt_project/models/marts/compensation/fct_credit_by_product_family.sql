-- The mart of int_credits_by_product_family (the rules, their comments and the data tests are there): a
-- view of the same rows and columns, read by Python and BI through the contract in fct_credit_by_product_family.yml.
select * from {{ ref('int_credits_by_product_family') }}
