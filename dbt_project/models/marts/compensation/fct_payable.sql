-- The mart of int_payables (the rules and their comments are there): the same
-- rows and columns, read by Python and BI through the contract in fct_payable.yml.
select * from {{ ref('int_payables') }}
