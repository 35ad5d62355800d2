"""Dagster wiring of the territory proposal (assets/planning/territory_fit.py): one asset reading the
marts fct_territory_fit and fct_territory_assignment, writing the BI tables ``forecast_territory_proposal``
and ``forecast_territory_summary`` under ``SPM_EXPORT_DIR/forecasts/`` (their contracts are in
assets/forecasts/tables.py, with the forecast tables the BI snapshot copies)."""

# No ``from __future__ import annotations``: Dagster inspects the context annotation at runtime.
import dagster as dg

from assets.compensation.assets import mart_keys
from assets.forecasts.runner import FORECAST_DIR
from assets.planning.territory_fit import write_territory_proposals
from core.resources import SpmPathsResource

TERRITORY_PROPOSAL = dg.AssetKey("territory_proposal")


@dg.asset(
    key=TERRITORY_PROPOSAL,
    deps=mart_keys("fct_territory_fit", "fct_territory_assignment"),
    group_name="planning",
    kinds={"python", "parquet"},
    pool="duckdb_warehouse",  # reads the warehouse file: never while dbt writes it
    description="Proposed rep -> territory assignment per plan year (the next one and, on the years with deals, "
    "its backtest) maximising expected bookings from fct_territory_fit under each rep's capacity and every "
    "territory covered (scipy milp), against the current assignment: forecast_territory_proposal (per rep) and "
    "forecast_territory_summary (per territory) under SPM_EXPORT_DIR/forecasts/.",
)
def territory_proposal(context: dg.AssetExecutionContext, paths: SpmPathsResource) -> dg.MaterializeResult:
    settings = paths.paths()
    summary = write_territory_proposals(settings.warehouse, settings.export_dir / FORECAST_DIR)
    backtests = [
        {"plan_year": b["plan_year"], "reps": b["reps"], "current": str(b["current"]), "proposed": str(b["proposed"]),
         "pooled_proposed": str(b["pooled_proposed"]),
         "uplift": None if b["uplift"] is None else f"{b['uplift']:.4f}"}
        for b in summary["backtests"]
    ]
    context.log.info(f"Territory proposal: {summary['reps']} rep rows, {summary['moves']} moves; backtest {backtests}")
    return dg.MaterializeResult(metadata={
        "rep_rows": summary["reps"], "territory_rows": summary["territories"], "moves": summary["moves"],
        "backtests": dg.MetadataValue.json(backtests),
    })
