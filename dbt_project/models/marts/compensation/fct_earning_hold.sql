-- The mart of int_earning_holds (the rules, their comments and the data tests are there): a
-- view of the same rows and columns, read by Python and BI through the contract in fct_earning_hold.yml.
select * from {{ ref('int_earning_holds') }}
