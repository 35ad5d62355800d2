-- The mart of int_periods (the rules and their comments are there): the same
-- rows and columns, read by Python and BI through the contract in dim_period.yml.
select * from {{ ref('int_periods') }}
