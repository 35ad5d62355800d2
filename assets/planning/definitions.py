"""The planning domain: territory configuration into the raw layer (its dbt models are the warehouse's planning group)."""

import dagster as dg

from assets.planning.assets import TERRITORY_ASSETS, TERRITORY_CHECKS

defs = dg.Definitions(assets=TERRITORY_ASSETS, asset_checks=TERRITORY_CHECKS)
