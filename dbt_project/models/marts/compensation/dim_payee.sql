-- The mart of int_payees (the rules and their comments are there): the same
-- rows and columns, read by Python and BI through the contract in dim_payee.yml.
select * from {{ ref('int_payees') }}
