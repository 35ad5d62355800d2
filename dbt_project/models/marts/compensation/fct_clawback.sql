-- The mart of int_clawbacks (the rules and their comments are there): the same
-- rows and columns, read by Python and BI through the contract in fct_clawback.yml.
select * from {{ ref('int_clawbacks') }}
