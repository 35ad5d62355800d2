-- The mart of int_payout_file_lines (the rules, their comments and the data tests are
-- there): a view of the lines of every period's payout file, read by the payout extract,
-- the publication and the statements through the contract in _payouts__models.yml.
select * from {{ ref('int_payout_file_lines') }}
