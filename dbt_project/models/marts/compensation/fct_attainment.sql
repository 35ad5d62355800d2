-- The mart of int_attainment (the rules and their comments are there): the same
-- rows and columns, read by Python and BI through the contract in fct_attainment.yml.
select * from {{ ref('int_attainment') }}
