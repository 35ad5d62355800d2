"""The statements domain: one statement per payee, checked against the payout file."""

import dagster as dg

from assets.statements.assets import payee_statements, statements_match_payout_file

defs = dg.Definitions(assets=[payee_statements], asset_checks=[statements_match_payout_file])
