"""The planning domain: territory configuration into the raw layer (its dbt models are the warehouse's planning
group) and the territory proposal read from the planning marts."""

import dagster as dg

from assets.planning.assets import TERRITORY_ASSETS, TERRITORY_CHECKS
from assets.planning.proposal import territory_proposal

defs = dg.Definitions(assets=[*TERRITORY_ASSETS, territory_proposal], asset_checks=TERRITORY_CHECKS)
