-- The mart of int_payout_lines (the rules and their comments are there): the same
-- rows and columns, read by Python and BI through the contract in fct_payout_line.yml.
select * from {{ ref('int_payout_lines') }}
