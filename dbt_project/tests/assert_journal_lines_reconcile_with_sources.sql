-- The journals carry exactly their sources, per source period and currency
-- (fct_journal_line, docs/journals.md):
--   ACCRUAL          net credit to Accrued commissions = the period's rounded payout
--                    lines (int_journal_accrual_lines, as the payout extract rounds them);
--   ACCRUAL_REVERSAL net debit to Accrued commissions  = the same amount;
--   CAPITALIZATION   net debit to Capitalized contract costs = fct_contract_cost.capitalized_amount;
--   AMORTIZATION     net debit to Amortization of contract costs = the schedule's month.
-- Returns the journal type, source period and currency that differ.

-- Dagster shows this test as an asset check of fct_journal_line.
{{ config(meta={'dagster': {'ref': {'name': 'fct_journal_line'}}}) }}

with

journal as (

    select
        journal_type,
        source_period,
        currency,
        sum(case
            when journal_type = 'ACCRUAL' and account_role = 'accrued_commissions' then credit - debit
            when journal_type = 'ACCRUAL_REVERSAL' and account_role = 'accrued_commissions' then debit - credit
            when journal_type = 'CAPITALIZATION' and account_role = 'capitalized_contract_costs' then debit - credit
            when journal_type = 'AMORTIZATION' and account_role = 'contract_cost_amortization' then debit - credit
            else 0
        end) as journal_amount
    from {{ ref('fct_journal_line') }}
    group by journal_type, source_period, currency

),

sources as (

    select 'ACCRUAL' as journal_type, period as source_period, currency, sum(accrued_amount) as source_amount
    from {{ ref('int_journal_accrual_lines') }}
    group by period, currency
    union all
    select 'ACCRUAL_REVERSAL', period, currency, sum(accrued_amount)
    from {{ ref('int_journal_accrual_lines') }}
    group by period, currency
    union all
    select 'CAPITALIZATION', period, currency, sum(capitalized_amount)
    from {{ ref('fct_contract_cost') }}
    group by period, currency
    union all
    select 'AMORTIZATION', period, currency, sum(amortization_amount)
    from {{ ref('fct_contract_cost_amortization') }}
    group by period, currency

)

select
    coalesce(journal.journal_type, sources.journal_type) as journal_type,
    coalesce(journal.source_period, sources.source_period) as source_period,
    coalesce(journal.currency, sources.currency) as currency,
    journal.journal_amount,
    sources.source_amount
from journal
full outer join sources
    on journal.journal_type = sources.journal_type
    and journal.source_period = sources.source_period
    and journal.currency = sources.currency
where coalesce(journal.journal_amount, 0) <> coalesce(sources.source_amount, 0)
