"""The Dagster code location: every domain's definitions merged, the pipeline job, its triggers and resources.

Each domain package under ``assets/`` owns its assets, checks, jobs and
schedules in its ``definitions.py``; this module only merges them and adds what
spans them: the ``spm_pipeline`` job (everything but the monthly publication),
the daily refresh, the new-batch sensor, the resources, the console logger and
the executor (multiprocess, SPM_PARALLEL_STEPS steps at once: docs/scale_out.md), and the
catalog the UI shows of every asset (owners, descriptions, kinds, code references: core/catalog.py).
"""

from __future__ import annotations

import dagster as dg

from assets.bi import definitions as bi
from assets.compensation import definitions as compensation
from assets.finance import definitions as finance
from assets.forecasts import definitions as forecasts
from assets.ingest import definitions as ingest
from assets.payouts import definitions as payouts
from assets.payouts.definitions import PUBLISH_JOB_NAME
from assets.payouts.publication import payout_publication
from assets.planning import definitions as planning
from assets.statements import definitions as statements
from core.catalog import catalogued
from core.dbt import dbt_resource
from core.resources import CodeLocationResource, SpmPathsResource, parallel_executor, retry_policy
from core.settings import engine
from orchestration.run_console import spm_console_logger
from orchestration.schedules import build_daily_refresh_schedule
from orchestration.sensors import build_new_batch_sensor

DOMAINS = (ingest, planning, compensation, payouts, finance, statements, forecasts, bi)
PIPELINE_JOB_NAME = "spm_pipeline"
__all__ = ["DOMAINS", "PIPELINE_JOB_NAME", "PUBLISH_JOB_NAME", "SpmCodeLocation", "defs", "spm_pipeline"]

# Ingest -> dbt build (models and tests) -> payout extract, BI snapshot and forecasts.
# Blocking checks (GX suites on ingest, the quarantine threshold, dbt tests)
# stop the assets downstream of a failure; warnings (freshness) do not.
spm_pipeline = dg.define_asset_job(
    PIPELINE_JOB_NAME,
    # Everything but the monthly-partitioned publication (Dagster does not mix
    # partitioned and unpartitioned assets in one job): the payouts domain's
    # publish_payouts job.
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(payout_publication),
    description="Ingest every landing batch, build the warehouse, write the pay period's payout extract.",
    # Transient failures (a locked file, a slow disk) are retried with backoff;
    # user errors are not (core/failures.py).
    # Every step is idempotent (ingest skips files already in raw, dbt rebuilds,
    # the payout files are a pure function of the inputs), so a retry or a
    # re-execution from failure never duplicates data.
    op_retry_policy=retry_policy(),
)



class SpmCodeLocation(CodeLocationResource):
    """The merged definitions' asset graph (core/resources.py CodeLocationResource)."""

    def asset_graph(self):
        return defs.resolve_asset_graph()


# The catalog (core/catalog.py): each asset's owner, descriptions the UI renders, correct kinds,
# code references (docs/operations.md "The catalog").
defs = dg.Definitions.merge(
    catalogued(*(domain.defs for domain in DOMAINS),
    dg.Definitions(
        jobs=[spm_pipeline],
        schedules=[build_daily_refresh_schedule(PIPELINE_JOB_NAME)],
        sensors=[build_new_batch_sensor(PIPELINE_JOB_NAME)],
        resources={"paths": SpmPathsResource(), "dbt": dbt_resource(), "code_location": SpmCodeLocation()},
        # Dagster's console logger, with user errors in one line (orchestration/console.py).
        loggers={"console": spm_console_logger},
        # Runs launched from the UI, a schedule or a sensor: a process per step, at most
        # SPM_PARALLEL_STEPS at once; the warehouse's readers and its writer still one at a
        # time (pool duckdb_warehouse, one slot). The CLI runs its jobs in process.
        executor=parallel_executor(),
    ),
)
)
