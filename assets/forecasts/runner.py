"""The two forecast runs, as plain functions of (warehouse, raw layer, output folder).

``bookings_forecast_run``: the bookings forecast, backtest, conversion,
attainment forecast, plots and what new business is drawn from;
``payout_forecast_run``: the P10/P50/P90 payout scenarios (pipeline and new
business) through the dbt engine. The Dagster assets (assets.py) only pass
paths and report what these return. Layout under ``<export>/forecasts/``:

    bookings_forecast.parquet   level, entity, month: actual to date + pipeline + time series, P10/P90
    bookings_backtest.parquet   the six one-month-ahead backtest forecasts with the seasonal-naive baseline
    backtest_wape.parquet       WAPE of the model and of the baseline per level
    conversion.parquet          stage x age band x close band win rates; slippage.parquet
    open_pipeline.parquet       open deals at the as-of date with their win probability
    new_business_targets.parquet  share x TS and its sd per payee (and the company) and month: new business to draw
    new_business_pool.parquet   each payee's won credit of the last 12 months: the deals new business is drawn from
    attainment_forecast.parquet (actual + forecast) / quota per payee and team, month and quarter
    payable_actual.parquet      the engine's fct_payable per payee and period (the actual, exact)
    payout_forecast.parquet     engine payable per scenario (P10/P50/P90), payee, period; payout_summary.parquet
    plots/company.png, plots/team_<manager>.png, plots/payout_<currency>.png
    forecast.json, payout_forecast.json   summaries (origin, WAPE, scenario bookings, files and their SHA-256)
"""

from __future__ import annotations

import contextlib
import json
import shutil
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl

from assets.forecasts.attainment import attainment_forecast
from assets.forecasts.backtest import backtest_forecast, backtest_rows, backtest_targets
from assets.forecasts.calendar import first_open_month, month_label
from assets.forecasts.extract import ForecastInputs, rates_on, read_inputs
from assets.forecasts.files import to_amounts, write_bytes, write_json, write_parquet
from assets.forecasts.model import forecast_at
from assets.forecasts.new_business import NewBusiness, new_business_pool, new_business_targets, prepare
from assets.forecasts.plot import ForecastPlotter, bookings_png, payout_plot_name
from assets.forecasts.scenarios import read_payable, scenarios_payable
from assets.forecasts.simulation import N_SIMULATIONS, QUANTILES, SEED, simulate
from core.money import round_money
from core.parallel import map_in_order
from core.periods import period_month
from core.progress import Progress, silent

# The current month (rest of it), then the next six: covers the rest of the quarter too.
HORIZON_MONTHS = 7
FORECAST_DIR = "forecasts"
BOOKING_AMOUNTS = ["actual_to_date", "pipeline_expected", "timeseries", "timeseries_component", "forecast", "p10",
                   "p90", "seasonal_naive", "actual", "bookings_forecast", "quota", "quarter_bookings",
                   "quarter_quota", "amount", "amount_corporate", "target", "target_sd"]


def _entity_names(inputs: ForecastInputs) -> dict[str, str]:
    return dict(inputs.payees.select("employee_id", "full_name").iter_rows())


# The per-period work of the bookings forecast: the live forecast and one backtest forecast per
# target month, each a pure function of the forecast inputs: run here in one process, or fanned
# out over Dagster steps (assets/forecasts/fanout.py, assets.py).
LIVE = "live"


def period_tasks(as_of: date) -> list[str]:
    """The bookings forecast's per-period work, in the order the results are assembled: ``live``
    (the forecast of the horizon from ``as_of``) and each backtest target month ``YYYY-MM``."""
    return [LIVE, *(month_label(target) for target in backtest_targets(as_of))]


def period_task_label(task: str) -> str:
    """How a progress line names a period task: ``live forecast`` or ``backtest 2026-06``."""
    return "live forecast" if task == LIVE else f"backtest {task}"


def run_period_task(inputs: ForecastInputs, task: str, horizon: int = HORIZON_MONTHS):
    """One period's forecast: the live ``Forecast`` (without its allocation, which nothing writes)
    for ``live``, else the backtest forecast of that month (``backtest_forecast``)."""
    if task == LIVE:
        live = forecast_at(inputs, inputs.as_of, horizon)
        return replace(live, allocation=live.allocation.clear())
    return backtest_forecast(inputs, period_month(task))


def payable_periods(as_of: date, horizon: int = HORIZON_MONTHS) -> list[str]:
    """The periods of ``payable_actual.parquet``: the month before the first open month, and the horizon."""
    first = first_open_month(as_of)
    return [month_label(first + h) for h in range(-1, horizon)]


def bookings_forecast_run(warehouse: Path, out_root: Path, horizon: int = HORIZON_MONTHS) -> dict:
    """The bookings forecast in one process: read the warehouse, every period in turn, write."""
    inputs = read_inputs(warehouse)
    payable = read_payable(warehouse, payable_periods(inputs.as_of, horizon))
    results = {task: run_period_task(inputs, task, horizon) for task in period_tasks(inputs.as_of)}
    return write_bookings_forecast(inputs, payable, results, out_root, horizon)


def write_bookings_forecast(inputs: ForecastInputs, payable: pl.DataFrame, results: dict, out_root: Path,
                            horizon: int = HORIZON_MONTHS) -> dict:
    """Write the bookings forecast's files from its inputs, the actual payable (``read_payable`` of
    ``payable_periods``) and every period's result (``run_period_task`` by task): the same bytes
    whichever process computed which period. Opens no warehouse."""
    missing = sorted(set(period_tasks(inputs.as_of)) - set(results))
    if missing:
        raise ValueError(f"bookings forecast: no result for the period(s) {missing}")
    out = Path(out_root) / FORECAST_DIR
    live = results[LIVE]
    bt_rows, wape = backtest_rows(inputs, {period_month(t): f for t, f in results.items() if t != LIVE})
    rates = rates_on(inputs.rates, inputs.as_of, inputs.corporate_currency)
    names = _entity_names(inputs)

    forecast = live.rows.with_columns(
        entity_name=pl.col("entity_id").replace_strict(names, default="Company", return_dtype=pl.Utf8)
    ).select(
        "level", "entity_id", "entity_name", "currency", "period", "horizon", "model", "actual_to_date",
        "pipeline_expected", "new_business_share", "timeseries_component", "forecast", "p10", "p90",
    )
    attainment = attainment_forecast(live.rows, live.history, inputs.quota).drop("month")
    open_pipeline = live.deals.with_columns(
        amount_corporate=pl.col("amount") / pl.col("currency_code").replace_strict(rates, default=None,
                                                                                 return_dtype=pl.Float64),
        expected_period=pl.col("expected_month").map_elements(month_label, return_dtype=pl.Utf8),
    )
    slippage = pl.DataFrame({"months_late": list(range(len(live.conversion.slip))),
                             "share_of_won": list(live.conversion.slip)})

    files: dict[str, str] = {}
    files["bookings_forecast.parquet"] = write_parquet(to_amounts(forecast, BOOKING_AMOUNTS), out / "bookings_forecast.parquet")
    files["bookings_backtest.parquet"] = write_parquet(to_amounts(bt_rows, BOOKING_AMOUNTS), out / "bookings_backtest.parquet")
    files["backtest_wape.parquet"] = write_parquet(wape, out / "backtest_wape.parquet")
    files["conversion.parquet"] = write_parquet(live.conversion.table, out / "conversion.parquet")
    files["slippage.parquet"] = write_parquet(slippage, out / "slippage.parquet")
    files["open_pipeline.parquet"] = write_parquet(to_amounts(open_pipeline, BOOKING_AMOUNTS), out / "open_pipeline.parquet")
    targets = new_business_targets(live.rows).with_columns(
        period=pl.col("month").map_elements(month_label, return_dtype=pl.Utf8)
    ).drop("month")
    files["new_business_targets.parquet"] = write_parquet(to_amounts(targets, BOOKING_AMOUNTS),
                                                          out / "new_business_targets.parquet")
    pool = new_business_pool(inputs.credits, inputs.payees, inputs.as_of)
    files["new_business_pool.parquet"] = write_parquet(to_amounts(pool, BOOKING_AMOUNTS),
                                                       out / "new_business_pool.parquet")
    files["payable_actual.parquet"] = write_parquet(payable, out / "payable_actual.parquet")
    files["attainment_forecast.parquet"] = write_parquet(to_amounts(attainment, BOOKING_AMOUNTS), out / "attainment_forecast.parquet")

    plots: dict[str, str] = {}
    series = [("company", "company", "Company")] + [
        ("team", e, f"Team of {names.get(e, e)} ({e})")
        for e in live.rows.filter(pl.col("level") == "team")["entity_id"].unique().sort().to_list()
    ]
    drawn = []
    for level, entity, title in series:
        rows = live.rows.filter((pl.col("level") == level) & (pl.col("entity_id") == entity))
        drawn.append((
            f"{title}: bookings, actual vs forecast (as of {inputs.as_of.isoformat()})",
            rows["currency"][0],
            live.history.filter((pl.col("level") == level) & (pl.col("entity_id") == entity)),
            rows,
            bt_rows.filter((pl.col("level") == level) & (pl.col("entity_id") == entity)).with_columns(
                month=pl.col("period").str.slice(0, 4).cast(pl.Int64) * 12
                + pl.col("period").str.slice(5, 2).cast(pl.Int64) - 1
            ),
        ))
    # one figure per process for every plot of the run; a plot per team: on every core at scale
    for (level, entity, _), png in zip(series, map_in_order(bookings_png, drawn)):
        name = "company.png" if level == "company" else f"team_{entity}.png"
        plots[name] = write_bytes(png, out / "plots" / name)
        files[f"plots/{name}"] = plots[name]

    summary = {
        "as_of": inputs.as_of.isoformat(),
        "first_month": month_label(live.first_month),
        "last_month": month_label(live.first_month + horizon - 1),
        "corporate_currency": inputs.corporate_currency,
        "conversion_observations": live.conversion.observations,
        "slippage": [round(s, 6) for s in live.conversion.slip],
        "open_deals": live.deals.height,
        "backtest_wape": [
            {k: (round(v, 6) if isinstance(v, float) else v) for k, v in row.items()} for row in wape.to_dicts()
        ],
        "company_forecast": [
            {"period": p, "forecast": round(f, 2), "p10": round(lo, 2), "p90": round(hi, 2)}
            for p, f, lo, hi in live.rows.filter(pl.col("level") == "company")
            .select("period", "forecast", "p10", "p90").iter_rows()
        ],
        "files": files,
    }
    write_json(summary, out / "forecast.json")
    summary["directory"] = str(out)
    summary["wape"] = wape
    return summary


def payout_forecast_run(
    raw_dir: Path, out_root: Path, *, n_simulations: int = N_SIMULATIONS, seed: int = SEED,
    scratch_dir: Path, warehouse: Path | None = None, progress: Progress = silent,
) -> dict:
    """Simulate the open pipeline and new business, run the engine once for the P10/P50/P90 scenarios,
    compare a closed month with the actual.

    Reads the files of :func:`bookings_forecast_run` and the raw layer; the
    engine runs once on a copy of ``warehouse`` (incrementally: only the
    scenarios' deals are recomputed; from nothing when no warehouse is given),
    a scratch DuckDB file under ``scratch_dir``, the run's own scratch folder,
    removed when done. The main warehouse is only copied, never opened.
    ``progress``: a line per phase (simulations, each scenario, the engine build, the files).
    """
    out = Path(out_root) / FORECAST_DIR
    inputs = simulation_inputs(out)
    inputs_as_of = inputs.origin
    periods = [month_label(m) for m in range(inputs.new_business.first_month, inputs.last_month + 1)]
    first = period_month(periods[0])
    closed_period = month_label(first - 1)
    all_periods = [closed_period] + periods
    by_month, scenarios = simulate(inputs.deals, inputs.slip, inputs.origin, inputs.last_month,
                                   new_business=inputs.new_business, n_simulations=n_simulations, seed=seed)
    totals = by_month.sum(axis=1)
    progress(f"{n_simulations:,} simulations drawn, scenarios {', '.join(s.name for s in scenarios)} picked")

    actual = pl.read_parquet(out / "payable_actual.parquet").filter(pl.col("period").is_in(all_periods))
    scratch = Path(scratch_dir) / "payout_forecast"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    try:
        results = scenarios_payable(raw_dir, scenarios, scratch / "engine", all_periods, base_warehouse=warehouse,
                                    progress=progress)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        with contextlib.suppress(OSError):
            Path(scratch_dir).rmdir()  # the run's scratch folder, when nothing else is in it

    frames = [actual.with_columns(scenario=pl.lit("actual"))] + [
        results[s.name].with_columns(scenario=pl.lit(s.name)) for s in scenarios
    ]
    lines = pl.concat(frames).select("scenario", "employee_id", "period", "currency", "payable_amount")
    rounded = [
        (sc, e, p, c, round_money(Decimal(a), c)) for sc, e, p, c, a in lines.sort(
            "scenario", "employee_id", "period", "currency").iter_rows()
    ]
    payout = pl.DataFrame(rounded, schema={"scenario": pl.Utf8, "employee_id": pl.Utf8, "period": pl.Utf8,
                                           "currency": pl.Utf8, "payable_amount": pl.Decimal(38, 2)}, orient="row")
    summary_frame = (
        payout.group_by("scenario", "period", "currency").agg(pl.col("payable_amount").sum())
        .sort("scenario", "period", "currency")
    )
    closed_matches = {
        s.name: results[s.name].filter(pl.col("period") == closed_period).equals(
            actual.filter(pl.col("period") == closed_period))
        for s in scenarios
    }
    files = {
        "payout_forecast.parquet": write_parquet(payout, out / "payout_forecast.parquet"),
        "payout_summary.parquet": write_parquet(summary_frame, out / "payout_summary.parquet"),
    }
    files.update(write_payout_plots(summary_frame, inputs_as_of, out))
    progress(f"files written ({len(payout):,} payout rows, {len(files) - 2} plot(s))")
    summary = {
        "as_of": inputs_as_of.isoformat(),
        "closed_period": closed_period,
        "closed_period_matches_actual": closed_matches,
        "simulations": n_simulations,
        "seed": seed,
        "scenarios": [
            {"name": s.name, "simulation": s.simulation, "company_bookings": round(s.company_bookings, 2),
             "won_deals": s.won.height, "new_business_deals": s.new_deals.height,
             "new_business_bookings": round(float(s.new_deals["amount_corporate"].sum()), 2),
             "company_bookings_by_month": {p: round(v, 2) for p, v in zip(periods, s.company_by_month)}}
            for s in scenarios
        ],
        "company_bookings_by_month": {
            p: {"mean": round(float(by_month[:, j].mean()), 2), "sd": round(float(by_month[:, j].std()), 2),
                **{q: round(float(np.quantile(by_month[:, j], v)), 2) for q, v in QUANTILES.items()}}
            for j, p in enumerate(periods)
        },
        "new_business_scale": {p: round(float(v), 6) for p, v in zip(periods, inputs.new_business.month_scale)},
        "new_business_uncovered": [
            {"employee_id": e, "period": month_label(m), "target": round(t, 2)}
            for e, m, t in inputs.new_business.uncovered.iter_rows()
        ],
        "company_bookings_quantiles": {
            q: round(float(sorted(totals)[int(round(v * (len(totals) - 1)))]), 2)
            for q, v in (("P10", 0.1), ("P50", 0.5), ("P90", 0.9))
        },
        "totals": [
            {"scenario": sc, "period": p, "currency": c, "payable_amount": str(a)}
            for sc, p, c, a in summary_frame.iter_rows()
        ],
        "files": files,
    }
    write_json(summary, out / "payout_forecast.json")
    summary["directory"] = str(out)
    summary["summary_frame"] = summary_frame
    return summary


def write_payout_plots(summary_frame: pl.DataFrame, as_of: date, out: Path) -> dict[str, str]:
    """``plots/payout_<currency>.png`` per currency of ``payout_summary`` (scenario, period, currency,
    payable_amount): the actual payout (up to the as-of month, paid to date) and the P10 / P50 / P90
    scenarios per period. Returns
    ``plots/<name>`` -> SHA-256."""
    plotter = ForecastPlotter()
    files: dict[str, str] = {}
    for currency in summary_frame["currency"].unique().sort().to_list():
        png = plotter.payout_png(
            f"Payout forecast ({currency}): actual and P10 / P50 / P90 scenarios (as of {as_of.isoformat()})",
            currency, summary_frame.filter(pl.col("currency") == currency), month_label(first_open_month(as_of)),
        )
        name = payout_plot_name(currency)
        files[f"plots/{name}"] = write_bytes(png, Path(out) / "plots" / name)
    return files


@dataclass(frozen=True)
class SimulationInputs:
    origin: date
    last_month: int
    deals: pl.DataFrame  # the open pipeline with win probabilities
    slip: tuple[float, ...]
    new_business: NewBusiness


def simulation_inputs(forecast_dir: Path) -> SimulationInputs:
    """What the payout simulation draws from, read from the bookings forecast's files."""
    forecast_dir = Path(forecast_dir)
    origin = date.fromisoformat(json.loads((forecast_dir / "forecast.json").read_text())["as_of"])
    periods = sorted(pl.read_parquet(forecast_dir / "bookings_forecast.parquet")["period"].unique().to_list())
    last_month = period_month(periods[-1])
    targets = pl.read_parquet(forecast_dir / "new_business_targets.parquet").with_columns(
        pl.col("target", "target_sd").cast(pl.Float64),
        month=pl.col("period").map_elements(period_month, return_dtype=pl.Int64),
    )
    pool = pl.read_parquet(forecast_dir / "new_business_pool.parquet").with_columns(
        pl.col("amount", "amount_corporate").cast(pl.Float64)
    )
    return SimulationInputs(
        origin=origin,
        last_month=last_month,
        deals=pl.read_parquet(forecast_dir / "open_pipeline.parquet").with_columns(
            pl.col("amount_corporate").cast(pl.Float64)),
        slip=tuple(pl.read_parquet(forecast_dir / "slippage.parquet").sort("months_late")["share_of_won"].to_list()),
        new_business=prepare(targets, pool, origin, last_month),
    )
