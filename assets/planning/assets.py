"""Dagster wiring of the territory configuration: one multi-asset, keys ``["raw", "config", <table>]``.

Runs :func:`assets.planning.territories.ingest_territories`; an invalid
``territories.yaml`` fails the asset at once (``user_error`` listing every problem
with file, territory and field). The tables feed dbt's planning models.

Each table has a blocking check ``gx_contract_suite`` (the Great Expectations
suite of :data:`expectations.suites.TERRITORY_SUITES` on the table in raw): the
second line behind the validation, since the tables decide quota proposals. A
failure stops the dbt models, so no proposal (nor payout of that run) is built
on them. Without ``territories.yaml`` the tables are empty and the checks pass.
"""

# No ``from __future__ import annotations``: Dagster inspects the context annotation at runtime.
from functools import partial

import dagster as dg
from dagster import AssetExecutionContext

from assets.ingest.assets import config_table_check, suite_validator
from assets.planning.territories import (
    TERRITORY_FILE,
    TERRITORY_TABLES,
    TerritoryConfigError,
    ingest_territories,
    territory_table_dir,
)
from core.failures import user_error
from core.resources import SpmPathsResource

GROUP = "planning"
TERRITORY_KEYS = {name: dg.AssetKey(["raw", "config", name]) for name in TERRITORY_TABLES}


@dg.multi_asset(
    name="raw__config__territories",
    group_name=GROUP,
    specs=[
        dg.AssetSpec(key, kinds={"yaml", "parquet"}, description=f"Territory configuration ({TERRITORY_FILE}), table {name}.")
        for name, key in TERRITORY_KEYS.items()
    ],
)
def raw_config_territories(context: AssetExecutionContext, paths: SpmPathsResource):
    settings = paths.paths()
    try:
        config = ingest_territories(settings.config_dir, settings.raw_dir)
    except TerritoryConfigError as error:
        raise user_error(str(error), metadata={"errors": dg.MetadataValue.json(error.errors)}) from error
    if config is None:
        context.log.info(f"no {TERRITORY_FILE} in the configuration folder: the territory tables are empty")
    counts = {
        "territory": 0 if config is None else len(config.territories) + 1,
        "territory_size_band": 0 if config is None else len(config.size_bands),
        "territory_rule": 0 if config is None else len(config.rules),
        "territory_rule_condition": 0 if config is None else sum(len(r.conditions) for r in config.rules),
        "territory_potential_weight": 0 if config is None else 1,
    }
    for name, key in TERRITORY_KEYS.items():
        yield dg.MaterializeResult(asset_key=key, metadata={"rows": counts[name]})


TERRITORY_ASSETS: list = [raw_config_territories]
TERRITORY_CHECKS: list = [
    config_table_check(
        key,
        partial(territory_table_dir, dataset=name),
        suite_validator("validate_territory_table", name),
        f"Great Expectations suite on the territory table {name} ({TERRITORY_FILE} flattened).",
        empty=f"no rows to validate (none declared, or no {TERRITORY_FILE} in the configuration folder)",
    )
    for name, key in TERRITORY_KEYS.items()
]
