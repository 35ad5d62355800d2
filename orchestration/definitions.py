"""The Dagster code location: every asset, check, job and resource of the pipeline."""

from __future__ import annotations

import dagster as dg

from assets.ingest.assets import INGEST_ASSETS, INGEST_CHECKS
from assets.payouts.assets import payout_extract
from orchestration.dbt import dbt_resource, spm_dbt_models
from orchestration.resources import SpmPathsResource

PIPELINE_JOB_NAME = "spm_pipeline"

# Ingest -> dbt build (models and tests) -> payout extract. Blocking checks
# (GX suites on ingest, dbt tests) stop the assets downstream of a failure.
spm_pipeline = dg.define_asset_job(
    PIPELINE_JOB_NAME,
    selection=dg.AssetSelection.all(),
    description="Ingest every landing batch, build the warehouse, write the pay period's payout extract.",
)

defs = dg.Definitions(
    assets=[*INGEST_ASSETS, spm_dbt_models, payout_extract],
    asset_checks=[*INGEST_CHECKS],
    jobs=[spm_pipeline],
    resources={
        "paths": SpmPathsResource(),
        "dbt": dbt_resource(),
    },
)
