"""Asset checks on the forecast files: the P10 <= P50 <= P90 order (assets/forecasts/tables.py).

Blocking: the bookings forecast's order stops the payout forecast (it draws from those
intervals) and the payout forecast's stops the BI snapshot, so no dashboard shows an
interval upside down.
"""

# No ``from __future__ import annotations``: Dagster inspects the annotations at runtime.

import json
from pathlib import Path

import dagster as dg
import polars as pl

from assets.forecasts.assets import BOOKINGS_FORECAST, PAYOUT_FORECAST
from assets.forecasts.runner import FORECAST_DIR
from assets.forecasts.tables import (
    FORECAST_TABLES,
    ForecastTable,
    payout_order_exceptions,
    quantile_order_violations,
    scenario_order_problems,
)
from core.metadata import markdown_table
from core.resources import SpmPathsResource

SHOWN = 10  # rows out of order shown in a check's metadata
_TABLES = {table.name: table for table in FORECAST_TABLES}


def quantile_problems(frame: pl.DataFrame, table: ForecastTable) -> tuple[list[str], pl.DataFrame]:
    """(one line per (low, middle, high) triple with rows out of order, those rows) of ``frame``,
    a forecast file of ``table``."""
    problems, bad_rows = [], []
    for low, middle, high in table.quantiles:
        bad = quantile_order_violations(frame, low, middle, high)
        if bad.height:
            problems.append(f"{table.file}: {bad.height} row(s) with not {low} <= {middle} <= {high}")
            bad_rows.append(bad.select(*table.grain, low, middle, high).head(SHOWN)
                            .rename({low: "low", middle: "middle", high: "high"}))
    shown = pl.concat(bad_rows) if bad_rows else pl.DataFrame()
    return problems, shown


def _result(problems: list[str], shown: pl.DataFrame, metadata: dict) -> dg.AssetCheckResult:
    if shown.height:
        metadata["rows_out_of_order"] = dg.MetadataValue.md(
            markdown_table(shown.columns, [tuple(map(str, row)) for row in shown.iter_rows()]))
    return dg.AssetCheckResult(passed=not problems, metadata=metadata,
                               description="; ".join(problems) if problems else None)


def check_quantile_order(forecast_dir: Path, table_names: list[str]) -> dg.AssetCheckResult:
    """Every row of each named forecast table's file keeps its P10 <= P50 <= P90 order."""
    problems, shown, rows = [], [], {}
    for name in table_names:
        table = _TABLES[name]
        frame = pl.read_parquet(Path(forecast_dir) / table.file)
        rows[table.file] = frame.height
        table_problems, table_shown = quantile_problems(frame, table)
        problems += table_problems
        if table_shown.height:
            shown.append(table_shown)
    return _result(problems, pl.concat(shown, how="diagonal") if shown else pl.DataFrame(),
                   {"rows_checked": dg.MetadataValue.json(rows)})


@dg.asset_check(
    asset=BOOKINGS_FORECAST,
    name="forecast_quantiles_in_order",
    blocking=True,
    description="Bookings forecast: p10 <= forecast (the P50) <= p90 on every row (payee, team, company, "
    "month); attainment forecast: quarter_attainment_p10 <= quarter_attainment <= quarter_attainment_p90 on "
    "every row with a quota.",
)
def bookings_forecast_quantiles_in_order(paths: SpmPathsResource) -> dg.AssetCheckResult:
    return check_quantile_order(paths.paths().export_dir / FORECAST_DIR, ["forecast_bookings", "forecast_attainment"])


def check_payout_scenarios(forecast_dir: Path) -> dg.AssetCheckResult:
    """The scenarios' company bookings in order; the payout rows out of order counted, not failed."""
    forecast_dir = Path(forecast_dir)
    scenarios = json.loads((forecast_dir / "payout_forecast.json").read_text())["scenarios"]
    problems = scenario_order_problems(scenarios)
    exceptions = payout_order_exceptions(pl.read_parquet(forecast_dir / _TABLES["forecast_payout"].file))
    metadata = {
        "company_bookings": dg.MetadataValue.json({s["name"]: s["company_bookings"] for s in scenarios}),
        "payout_rows_not_in_scenario_order": exceptions.height,
    }
    return _result(problems, exceptions.head(SHOWN), metadata)


@dg.asset_check(
    asset=PAYOUT_FORECAST,
    name="forecast_scenarios_in_order",
    blocking=True,
    description="Payout forecast: the P10, P50 and P90 scenarios are all there and their company bookings "
    "over the horizon are in order (P10 <= P50 <= P90), which is what the scenarios are quantiles of. A "
    "payee's or a period's payout may pay more under P10 than under P50 (tiers, caps and gates are per "
    "payee: docs/forecasts.md), so those rows are counted in the metadata, not failed.",
)
def payout_forecast_scenarios_in_order(paths: SpmPathsResource) -> dg.AssetCheckResult:
    return check_payout_scenarios(paths.paths().export_dir / FORECAST_DIR)
