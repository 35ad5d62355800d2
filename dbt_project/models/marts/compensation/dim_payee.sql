-- The mart of int_payees (the rules, their comments and the data tests are there): a
-- view of the same rows and columns, read by Python and BI through the contract in dim_payee.yml.
select * from {{ ref('int_payees') }}
