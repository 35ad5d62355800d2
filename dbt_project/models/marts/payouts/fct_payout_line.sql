-- The mart of int_payout_lines (the rules, their comments and the data tests are there): a
-- view of the same rows and columns, read by Python and BI through the contract in fct_payout_line.yml.
select * from {{ ref('int_payout_lines') }}
