-- The mart of int_commission (the rules and their comments are there): the same
-- rows and columns, read by Python and BI through the contract in fct_commission.yml.
select * from {{ ref('int_commission') }}
