"""The Dagster code location: every asset, check, job and resource of the pipeline."""

from __future__ import annotations

import os

import dagster as dg

from assets.ingest.assets import INGEST_ASSETS, INGEST_CHECKS
from assets.ingest.territory_assets import TERRITORY_ASSETS, TERRITORY_CHECKS
from assets.bi_snapshot import bi_snapshot
from assets.forecasts.assets import FORECAST_ASSETS
from assets.journals.assets import journal_entries
from assets.ledger.assets import PAY_PERIODS, payout_publication
from assets.payouts.assets import payout_extract
from assets.quality_checks import QUALITY_CHECKS
from assets.statements.assets import STATEMENT_ASSETS, STATEMENT_CHECKS
from orchestration.console import spm_console_logger
from orchestration.dbt import dbt_resource, spm_dbt_models
from orchestration.resources import SpmPathsResource
from orchestration.schedules import build_daily_refresh_schedule, build_month_close_schedule
from orchestration.sensors import build_new_batch_sensor

PIPELINE_JOB_NAME = "spm_pipeline"
PUBLISH_JOB_NAME = "publish_payouts"


def retry_policy() -> dg.RetryPolicy:
    """Retries of a failed step: SPM_RETRY_MAX (2) more tries, exponential backoff from
    SPM_RETRY_DELAY_SECONDS (15 s); read when the definitions load. A user error
    (assets.failures.user_error: bad input, bad configuration, a refused check)
    skips it and fails at once: a retry would give the same error."""
    return dg.RetryPolicy(
        max_retries=int(os.environ.get("SPM_RETRY_MAX", "2")),
        delay=float(os.environ.get("SPM_RETRY_DELAY_SECONDS", "15")),
        backoff=dg.Backoff.EXPONENTIAL,
    )

# Ingest -> dbt build (models and tests) -> payout extract, BI snapshot and forecasts.
# Blocking checks (GX suites on ingest, the quarantine threshold, dbt tests)
# stop the assets downstream of a failure; warnings (freshness) do not.
spm_pipeline = dg.define_asset_job(
    PIPELINE_JOB_NAME,
    # Everything but the monthly-partitioned publication (Dagster does not mix
    # partitioned and unpartitioned assets in one job): publish_payouts below.
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(payout_publication),
    description="Ingest every landing batch, build the warehouse, write the pay period's payout extract.",
    # Transient failures (a locked file, a slow disk) are retried with backoff;
    # user errors are not (assets/failures.py).
    # Every step is idempotent (ingest skips files already in raw, dbt rebuilds,
    # the payout files are a pure function of the inputs), so a retry or a
    # re-execution from failure never duplicates data.
    op_retry_policy=retry_policy(),
)

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
    assets=[
        *INGEST_ASSETS,
        *TERRITORY_ASSETS,
        spm_dbt_models,
        payout_extract,
        bi_snapshot,
        journal_entries,
        payout_publication,
        *STATEMENT_ASSETS,
        *FORECAST_ASSETS,
    ],
    asset_checks=[*INGEST_CHECKS, *QUALITY_CHECKS, *STATEMENT_CHECKS, *TERRITORY_CHECKS],
    jobs=[spm_pipeline, publish_payouts],
    schedules=[build_daily_refresh_schedule(PIPELINE_JOB_NAME), build_month_close_schedule(PUBLISH_JOB_NAME)],
    sensors=[build_new_batch_sensor(PIPELINE_JOB_NAME)],
    resources={
        "paths": SpmPathsResource(),
        "dbt": dbt_resource(),
    },
    # Dagster's console logger, with user errors in one line (orchestration/console.py).
    loggers={"console": spm_console_logger},
)
