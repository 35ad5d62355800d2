"""Dagster assets: the bookings forecast (with backtest, attainment and plots) and the payout forecast.

The bookings forecast reads the warehouse read-only after the marts are built
(pool ``duckdb_warehouse``), once, into a snapshot that its per-period steps
read in parallel; the payout forecast reads only its files and the raw layer,
and runs the dbt engine on scratch DuckDB files, never on the warehouse. Both write under ``SPM_EXPORT_DIR/forecasts/``.
"""
# No ``from __future__ import annotations``: Dagster inspects the annotations at runtime.

import contextlib
import shutil
from pathlib import Path

import dagster as dg

from assets.compensation.assets import mart_keys
from assets.forecasts.fanout import read_snapshot, split_tasks, write_snapshot
from assets.forecasts.runner import (
    FORECAST_DIR,
    payout_forecast_run,
    period_task_label,
    period_tasks,
    run_period_task,
    write_bookings_forecast,
)
from assets.forecasts.tables import column_schema
from core.failures import user_error
from core.progress import step_progress
from core.resources import SpmPathsResource, steps_at_once
from core.runs import clean_dead_scratch, scratch_root

# What the bookings forecast reads: dbt marts only (assets/forecasts/extract.py), by model name.
BOOKINGS_MODELS = [
    "dim_opportunity",
    "fct_opportunity_history",
    "fct_pipeline_credit_share",
    "dim_dated_conversion_rate",
    "fct_credit",
    "fct_quota",
    "dim_payee",
    "fct_payable",
]
BOOKINGS_DEPS = mart_keys(*BOOKINGS_MODELS)
BOOKINGS_FORECAST = dg.AssetKey("bookings_forecast")
PAYOUT_FORECAST = dg.AssetKey("payout_forecast")


def _wape_table(wape) -> str:
    lines = ["| level | entities | WAPE model | WAPE seasonal-naive | beats baseline |", "|---|---|---|---|---|"]
    for row in wape.iter_rows(named=True):
        fmt = lambda v: "n/a" if v is None else f"{v:.4f}"  # noqa: E731
        lines.append(f"| {row['level']} | {row['entities']} | {fmt(row['wape_model'])} | "
                     f"{fmt(row['wape_seasonal_naive'])} | {row['beats_baseline']} |")
    return "\n".join(lines)


def bookings_metadata(summary: dict, settings) -> dict:
    wape = summary["wape"]
    company = {row["level"]: row for row in wape.iter_rows(named=True)}.get("company", {})
    out = settings.export_dir / FORECAST_DIR
    metadata = {
        "as_of": summary["as_of"],
        "months": f"{summary['first_month']} .. {summary['last_month']}",
        "open_deals": summary["open_deals"],
        "backtest_wape": dg.MetadataValue.md(_wape_table(wape)),
        "company_beats_seasonal_naive": bool(company.get("beats_baseline")),
        "directory": dg.MetadataValue.path(str(out)),
        "company_plot": dg.MetadataValue.path(str(out / "plots" / "company.png")),
        "plots": dg.MetadataValue.md(
            "\n".join(f"* `{name}`" for name in sorted(summary["files"]) if name.startswith("plots/"))
        ),
        "company_forecast": dg.MetadataValue.md(
            "| period | forecast | P10 | P90 |\n|---|---|---|---|\n"
            + "\n".join(f"| {r['period']} | {r['forecast']:,.2f} | {r['p10']:,.2f} | {r['p90']:,.2f} |"
                        for r in summary["company_forecast"])
        ),
    }
    for row in wape.iter_rows(named=True):
        for column in ("wape_model", "wape_seasonal_naive"):
            if row[column] is not None:
                metadata[f"{column}_{row['level']}"] = float(row[column])
    return metadata


# The bookings forecast as a graph of steps (docs/scale_out.md): its per-period work (the live
# forecast and the six backtest months) fans out over up to SPM_PARALLEL_STEPS steps, which the
# multiprocess executor runs at once. Only the first step opens the warehouse, in its pool;
# the others read that step's snapshot (assets/forecasts/fanout.py).
SNAPSHOT_DIR = "bookings_forecast"


def snapshot_dir(settings, run_id: str):
    return scratch_root(settings) / run_id / SNAPSHOT_DIR


@dg.op(
    ins={mart: dg.In(dg.Nothing) for mart in BOOKINGS_MODELS},
    pool="duckdb_warehouse",  # reads the warehouse file: never while dbt writes it
    description="Reads the forecast inputs from the warehouse, once, into a snapshot in the run's scratch folder.",
)
def bookings_forecast_inputs(context: dg.OpExecutionContext, paths: SpmPathsResource) -> str:
    settings = paths.paths()
    clean_dead_scratch(settings, context.instance)  # what crashed runs left
    folder = write_snapshot(settings.warehouse, snapshot_dir(settings, context.run_id))
    return str(folder)


@dg.op(out=dg.DynamicOut(list), description="Splits the per-period work into up to SPM_PARALLEL_STEPS groups.")
def bookings_forecast_periods(context: dg.OpExecutionContext, snapshot: str):
    inputs, _, _ = read_snapshot(snapshot)
    groups = split_tasks(period_tasks(inputs.as_of), steps_at_once())
    context.log.info(f"{len(groups)} group(s) of periods: {groups}")
    for index, group in enumerate(groups):
        yield dg.DynamicOutput(group, mapping_key=f"group_{index}")


@dg.op(description="Forecasts one group of periods (the live forecast, backtest months) from the snapshot.")
def bookings_forecast_period_group(context: dg.OpExecutionContext, snapshot: str, group: list) -> dict:
    inputs, _, horizon = read_snapshot(snapshot)
    progress = step_progress(context.log.info, "bookings forecast")
    tasks = period_tasks(inputs.as_of)
    results = {}
    for task in group:
        results[task] = run_period_task(inputs, task, horizon)
        progress(f"{period_task_label(task)} done", tasks.index(task) + 1, len(tasks))
    return results


@dg.op(description="Writes the bookings forecast's files from the snapshot and every period's result.")
def bookings_forecast_files(
    context: dg.OpExecutionContext, paths: SpmPathsResource, snapshot: str, groups: list
) -> dg.Output:
    settings = paths.paths()
    inputs, payable, horizon = read_snapshot(snapshot)
    results = {task: result for group in groups for task, result in group.items()}
    progress = step_progress(context.log.info, "bookings forecast")
    summary = write_bookings_forecast(inputs, payable, results, settings.export_dir, horizon)
    progress(f"{len(summary['files'])} files written (plots included)")
    shutil.rmtree(snapshot, ignore_errors=True)
    with contextlib.suppress(OSError):
        Path(snapshot).parent.rmdir()  # the run's scratch folder, when nothing else is in it
    context.log.info(f"Bookings forecast {summary['first_month']}..{summary['last_month']} written to "
                     f"{settings.export_dir / FORECAST_DIR}")
    return dg.Output(None, metadata=bookings_metadata(summary, settings))


@dg.graph_asset(
    key=BOOKINGS_FORECAST,
    ins={mart: dg.AssetIn(key=key, dagster_type=dg.Nothing) for mart, key in zip(BOOKINGS_MODELS, BOOKINGS_DEPS)},
    group_name="forecasts",
    kinds={"python", "parquet"},
    # the table BI reads (forecast_bookings); attainment_forecast.parquet is forecast_attainment
    metadata={"dagster/column_schema": column_schema("forecast_bookings")},
    description="Bookings forecast per payee, team and company (weighted pipeline + time series), its backtest "
    "against seasonal-naive, the attainment forecast and plots, under SPM_EXPORT_DIR/forecasts/. The live "
    "forecast and the backtest months run in parallel steps (SPM_PARALLEL_STEPS) from one read of the warehouse.",
)
def bookings_forecast(**marts):
    snapshot = bookings_forecast_inputs(**marts)
    groups = bookings_forecast_periods(snapshot).map(lambda group: bookings_forecast_period_group(snapshot, group))
    return bookings_forecast_files(snapshot, groups.collect())


@dg.asset(
    key=PAYOUT_FORECAST,
    deps=[BOOKINGS_FORECAST],
    group_name="forecasts",
    # Python writing Parquet; the dbt build it runs is on a scratch copy, no dbt model of the project.
    kinds={"python", "parquet"},
    metadata={"dagster/column_schema": column_schema("forecast_payout")},
    # The warehouse pool: the scenarios' engine build starts from a copy of the warehouse
    # file, which must not be copied while dbt writes it.
    pool="duckdb_warehouse",
    description="Payout forecast P10/P50/P90: simulated pipeline outcomes and new business (clones of the payees' "
    "recent won deals) run through the dbt compensation engine once, all three scenarios side by side on a copy "
    "of the warehouse (incremental: only the scenarios' deals are recomputed); the closed month must equal the "
    "actual payout.",
)
def payout_forecast(context: dg.AssetExecutionContext, paths: SpmPathsResource) -> dg.MaterializeResult:
    settings = paths.paths()
    clean_dead_scratch(settings, context.instance)  # what crashed runs left
    summary = payout_forecast_run(
        settings.raw_dir, settings.export_dir, scratch_dir=scratch_root(settings) / context.run_id,
        warehouse=settings.warehouse, progress=step_progress(context.log.info, "payout forecast"),
    )
    mismatched = [name for name, ok in summary["closed_period_matches_actual"].items() if not ok]
    if mismatched:
        raise user_error(
            f"Payout forecast scenarios {mismatched} differ from the engine's actual payout for the closed "
            f"period {summary['closed_period']}: the scenarios must only add deals after the as-of date."
        )
    table = "| scenario | period | currency | payable |\n|---|---|---|---|\n" + "\n".join(
        f"| {t['scenario']} | {t['period']} | {t['currency']} | {t['payable_amount']} |" for t in summary["totals"]
    )
    context.log.info(f"Payout forecast written to {summary['directory']}")
    return dg.MaterializeResult(
        metadata={
            "as_of": summary["as_of"],
            "closed_period": summary["closed_period"],
            "closed_period_matches_actual": True,
            "simulations": summary["simulations"],
            "seed": summary["seed"],
            "scenarios": dg.MetadataValue.json(summary["scenarios"]),
            "company_bookings_quantiles": dg.MetadataValue.json(summary["company_bookings_quantiles"]),
            "company_bookings_by_month": dg.MetadataValue.json(summary["company_bookings_by_month"]),
            "new_business_scale": dg.MetadataValue.json(summary["new_business_scale"]),
            "totals": dg.MetadataValue.md(table),
            "directory": dg.MetadataValue.path(summary["directory"]),
            "payout_plots": dg.MetadataValue.md(
                "\n".join(f"* `{name}`" for name in sorted(summary["files"]) if name.startswith("plots/"))
            ),
        }
    )
