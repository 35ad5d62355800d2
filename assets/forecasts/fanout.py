"""The bookings forecast's per-period work spread over processes, without a second reader of the warehouse.

DuckDB allows one writer, and a reader blocks it; the warehouse pool
(``duckdb_warehouse``) has one slot. So the steps that run the periods in
parallel never open the warehouse: one step, in the pool, reads the forecast
inputs once (``read_inputs`` and the actual payable, each in one read-only
block) into a snapshot of Parquet files in the run's scratch folder
(``<warehouse folder>/scratch/<run id>/bookings_forecast/``, removed when the
forecast is written, or by the next run if the run dies). The period steps and
the step that writes the files read that snapshot only.

Which step computes which period changes nothing in the files: each period is
a pure function of the inputs (``runner.run_period_task``) and the results are
assembled by period (``runner.write_bookings_forecast``).
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from assets.forecasts.extract import ForecastInputs, read_inputs
from assets.forecasts.runner import HORIZON_MONTHS, LIVE, payable_periods
from assets.forecasts.scenarios import read_payable

SNAPSHOT_FRAMES = ("history", "deals", "credit_shares", "payees", "credits", "rates", "quota")
SNAPSHOT_FILE = "snapshot.json"
PAYABLE_FILE = "payable_actual.parquet"
# The live forecast (seven months, the open pipeline now) costs about four backtest months
# (one month each), measured on the demo company.
LIVE_WEIGHT = 4


def write_snapshot(warehouse: Path, folder: Path, horizon: int = HORIZON_MONTHS) -> Path:
    """Read the forecast inputs and the actual payable from ``warehouse`` (read-only) into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    inputs = read_inputs(warehouse)
    payable = read_payable(warehouse, payable_periods(inputs.as_of, horizon))
    for name in SNAPSHOT_FRAMES:
        getattr(inputs, name).write_parquet(folder / f"{name}.parquet", compression="zstd")
    payable.write_parquet(folder / PAYABLE_FILE, compression="zstd")
    # written last: a snapshot without it is incomplete
    (folder / SNAPSHOT_FILE).write_text(json.dumps(
        {"as_of": inputs.as_of.isoformat(), "corporate_currency": inputs.corporate_currency, "horizon": horizon},
        sort_keys=True) + "\n")
    return folder


def read_snapshot(folder: Path) -> tuple[ForecastInputs, pl.DataFrame, int]:
    """(inputs, actual payable, horizon) as ``write_snapshot`` saved them."""
    from datetime import date

    folder = Path(folder)
    try:
        meta = json.loads((folder / SNAPSHOT_FILE).read_text())
    except FileNotFoundError:
        raise FileNotFoundError(
            f"{folder}: the bookings forecast's input snapshot is gone (a run's scratch is removed once the run "
            "has ended): materialize bookings_forecast again") from None
    frames = {name: pl.read_parquet(folder / f"{name}.parquet") for name in SNAPSHOT_FRAMES}
    inputs = ForecastInputs(as_of=date.fromisoformat(meta["as_of"]), corporate_currency=meta["corporate_currency"],
                            **frames)
    return inputs, pl.read_parquet(folder / PAYABLE_FILE), int(meta["horizon"])


def split_tasks(tasks: list[str], groups: int) -> list[list[str]]:
    """``tasks`` in at most ``groups`` groups of about equal work (the live forecast weighs
    ``LIVE_WEIGHT`` backtest months): each task to the lightest group so far, heaviest first,
    ties to the first group. Every task in exactly one group; the split depends only on its
    arguments. No empty group."""
    if groups < 1:
        raise ValueError(f"groups must be at least 1, not {groups}")
    weight = {task: LIVE_WEIGHT if task == LIVE else 1 for task in tasks}
    split: list[list[str]] = [[] for _ in range(min(groups, len(tasks)))]
    loads = [0] * len(split)
    for task in sorted(tasks, key=lambda t: (-weight[t], tasks.index(t))):
        lightest = loads.index(min(loads))
        split[lightest].append(task)
        loads[lightest] += weight[task]
    return split
