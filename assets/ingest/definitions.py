"""The ingest domain: landing batches into the raw layer, with their contract suites and quality checks."""

import dagster as dg

from assets.ingest.assets import INGEST_ASSETS, INGEST_CHECKS
from assets.ingest.quality_checks import QUALITY_CHECKS

defs = dg.Definitions(assets=INGEST_ASSETS, asset_checks=[*INGEST_CHECKS, *QUALITY_CHECKS])
