-- The mart of int_commission_detail (the rules, their comments and the data tests are there): a
-- view of the same rows and columns, read by Python and BI through the contract in fct_commission_detail.yml.
select * from {{ ref('int_commission_detail') }}
