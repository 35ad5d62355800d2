"""The statements domain: one statement per payee, checked against the payout file; the payees'
plan documents."""

import dagster as dg

from assets.statements.assets import payee_statements, statements_match_payout_file
from assets.statements.plan_documents_asset import plan_documents

defs = dg.Definitions(assets=[payee_statements, plan_documents], asset_checks=[statements_match_payout_file])
