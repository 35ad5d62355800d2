-- The mart of int_credits (the rules and their comments are there): the same
-- rows and columns, read by Python and BI through the contract in fct_credit.yml.
select * from {{ ref('int_credits') }}
