-- The mart of int_quota_months (the rules and their comments are there): the same
-- rows and columns, read by Python and BI through the contract in fct_quota.yml.
select * from {{ ref('int_quota_months') }}
