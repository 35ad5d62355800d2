-- The deal shares of the capitalized earning codes (var
-- capitalization_earning_codes: quota bonuses are not tied to a contract) of
-- int_earnings_allocated_to_deals, where the allocation rule lives. Read by
-- fct_contract_cost_deal (ASC 340-40, docs/journals.md).
select *
from {{ ref('int_earnings_allocated_to_deals') }}
where earning_code in ({{ sql_string_list(capitalization_earning_codes()) }})
