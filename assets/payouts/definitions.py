"""The payouts domain: the draft payout extract and payroll files, and the monthly publication into the ledger."""

import dagster as dg

from assets.payouts.assets import payout_extract, payout_file_matches_warehouse, raw_pay_calendar
from assets.payouts.publication import LEDGER_SPECS, PAY_PERIODS, payout_publication
from assets.payouts.schedules import build_month_close_schedule
from core.resources import retry_policy

PUBLISH_JOB_NAME = "publish_payouts"

# Publish one pay period (partition YYYY-MM) into the payout ledger: checks,
# immutable files, ledger record (docs/ledger.md). Idempotent, so retried too.
publish_payouts = dg.define_asset_job(
    PUBLISH_JOB_NAME,
    selection=dg.AssetSelection.assets(payout_publication),
    partitions_def=PAY_PERIODS,
    description="Publish one pay period's payouts into the ledger (month close; backfill a range of months).",
    op_retry_policy=retry_policy(),
)

defs = dg.Definitions(
    assets=[raw_pay_calendar, payout_extract, payout_publication, *LEDGER_SPECS],
    asset_checks=[payout_file_matches_warehouse],
    jobs=[publish_payouts],
    schedules=[build_month_close_schedule(PUBLISH_JOB_NAME)],
)
