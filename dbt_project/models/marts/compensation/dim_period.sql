-- The mart of int_periods (the rules, their comments and the data tests are there): a
-- view of the same rows and columns, read by Python and BI through the contract in dim_period.yml.
select * from {{ ref('int_periods') }}
