"""The finance domain: the period's accrual and payment journals for the general ledger."""

import dagster as dg

from assets.finance.assets import journal_entries, journals_balance

defs = dg.Definitions(assets=[journal_entries], asset_checks=[journals_balance])
