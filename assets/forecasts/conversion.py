"""Stage-to-won conversion and close-date slippage, learned from OpportunityHistory.

A deal's state at an origin date is its newest OpportunityHistory row created on
or before that date (stage, amount, close date). Learning as of a cutoff uses
only history rows on or before the cutoff:

* snapshots: every month end of the ``lookback_months`` before the cutoff; each
  deal open at a snapshot (state not Closed Won / Closed Lost) is one
  observation with its stage and its age band (days since the deal was created);
* outcome: the deal's state at the cutoff; only deals closed by then count
  (won = Closed Won);
* conversion(stage, age band, close band) = won / observations, when the cell
  has at least ``MIN_OBSERVATIONS``; else the (stage, age band) rate, else the
  stage's, else the overall rate. The close band (CloseDate within 30 days of
  the origin, or later) tells a deal still early in its cycle from one stuck
  in an early stage on the eve of its close date;
* slippage: for the won observations, months between the expected close month
  (the state's CloseDate month, or the first month after the snapshot when that
  is later) and the month it was won in, clipped to 0..MAX_SLIP_MONTHS; the
  shares of each k are the slippage distribution.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from assets.forecasts.calendar import first_open_month, month_end, month_index
from assets.forecasts.extract import CLOSED_STAGES

OPEN_STAGES = ("Prospecting", "Qualification", "Proposal", "Negotiation")
# age bands in days since the deal was created: [lo, hi]
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("000-030", 0, 30),
    ("031-090", 31, 90),
    ("091-180", 91, 180),
    ("181+", 181, 10**9),
)
# days from the origin to the deal's CloseDate (overdue counts as 0)
CLOSE_BANDS: tuple[tuple[str, int, int], ...] = (("close-000-030", -(10**9), 30), ("close-031+", 31, 10**9))
MIN_OBSERVATIONS = 30
MAX_SLIP_MONTHS = 3
LOOKBACK_MONTHS = 12


def age_band(age_days: pl.Expr) -> pl.Expr:
    expr = pl.lit(AGE_BANDS[-1][0])
    for label, lo, hi in reversed(AGE_BANDS[:-1]):
        expr = pl.when(age_days <= hi).then(pl.lit(label)).otherwise(expr)
    return expr


def close_band(days_to_close: pl.Expr) -> pl.Expr:
    return pl.when(days_to_close <= CLOSE_BANDS[0][2]).then(pl.lit(CLOSE_BANDS[0][0])).otherwise(pl.lit(CLOSE_BANDS[1][0]))


def _month_expr(col: str) -> pl.Expr:
    return pl.col(col).dt.year().cast(pl.Int64) * 12 + pl.col(col).dt.month().cast(pl.Int64) - 1


def states_at(history: pl.DataFrame, deals: pl.DataFrame, origin: date) -> pl.DataFrame:
    """Every deal's newest history row on or before ``origin`` (open or closed), with its age band."""
    return (
        history.filter(pl.col("at") <= origin)
        .group_by("opportunity_id", maintain_order=True)
        .last()
        .join(deals.select("opportunity_id", "created"), on="opportunity_id", how="inner")
        .with_columns(
            age_days=(pl.lit(origin) - pl.col("created")).dt.total_days(),
            is_open=~pl.col("stage_name").is_in(CLOSED_STAGES),
        )
        .with_columns(age_band=age_band(pl.col("age_days")))
    ).sort("opportunity_id")


def open_states_at(history: pl.DataFrame, deals: pl.DataFrame, origin: date, cache: dict | None = None) -> pl.DataFrame:
    """Deals open at ``origin``, with the expected close month (CloseDate, or the first open month if overdue).

    ``cache`` (a dict kept with the inputs) memoises the result by date: the
    backtest's origins share most of their monthly snapshots.
    """
    if cache is not None and origin in cache:
        return cache[origin]
    first = first_open_month(origin)
    result = (
        states_at(history, deals, origin)
        .filter(pl.col("is_open") & pl.col("stage_name").is_in(OPEN_STAGES) & pl.col("amount").is_not_null())
        .with_columns(
            expected_month=pl.max_horizontal(_month_expr("close_date").fill_null(first), pl.lit(first)).cast(pl.Int64),
            close_band=close_band((pl.col("close_date").fill_null(origin) - pl.lit(origin)).dt.total_days()),
        )
    )
    if cache is not None:
        cache[origin] = result
    return result


@dataclass(frozen=True)
class Conversion:
    cutoff: date
    table: pl.DataFrame  # stage_name, age_band, observations, won, rate, source (cell/stage/overall)
    overall_rate: float
    slip: tuple[float, ...]  # share of won deals closing k months after the expected month, k = 0..MAX_SLIP_MONTHS
    observations: int


def learn_conversion(
    history: pl.DataFrame, deals: pl.DataFrame, cutoff: date, lookback_months: int = LOOKBACK_MONTHS,
    cache: dict | None = None,
) -> Conversion:
    outcome = (
        states_at(history, deals, cutoff)
        .filter(~pl.col("is_open"))
        .select(
            "opportunity_id",
            won=pl.col("stage_name") == "Closed Won",
            won_month=_month_expr("close_date"),
        )
    )
    last = month_index(cutoff) - (0 if cutoff == month_end(month_index(cutoff)) else 1)
    frames = []
    for snapshot_month in range(last - lookback_months, last):
        snapshot = month_end(snapshot_month)
        if snapshot >= cutoff:
            continue
        frames.append(
            open_states_at(history, deals, snapshot, cache).select(
                "opportunity_id", "stage_name", "age_band", "close_band", "expected_month"
            )
        )
    if frames:
        observed = pl.concat(frames).join(outcome, on="opportunity_id", how="inner")
    else:
        observed = pl.DataFrame(
            schema={"opportunity_id": pl.Utf8, "stage_name": pl.Utf8, "age_band": pl.Utf8, "close_band": pl.Utf8,
                    "expected_month": pl.Int64, "won": pl.Boolean, "won_month": pl.Int64}
        )
    n_all = observed.height
    won_all = int(observed["won"].sum()) if n_all else 0
    overall = won_all / n_all if n_all else 0.0

    stage = observed.group_by("stage_name").agg(stage_n=pl.len(), stage_won=pl.col("won").sum())
    stage_age = observed.group_by("stage_name", "age_band").agg(age_n=pl.len(), age_won=pl.col("won").sum())
    cell = observed.group_by("stage_name", "age_band", "close_band").agg(
        observations=pl.len(), won=pl.col("won").sum()
    )
    grid = pl.DataFrame(
        [(s, a[0], c[0]) for s in OPEN_STAGES for a in AGE_BANDS for c in CLOSE_BANDS],
        schema={"stage_name": pl.Utf8, "age_band": pl.Utf8, "close_band": pl.Utf8},
        orient="row",
    )
    counts = ["observations", "won", "age_n", "age_won", "stage_n", "stage_won"]
    table = (
        grid.join(cell, on=["stage_name", "age_band", "close_band"], how="left")
        .join(stage_age, on=["stage_name", "age_band"], how="left")
        .join(stage, on="stage_name", how="left")
        .with_columns(pl.col(counts).fill_null(0).cast(pl.Int64))
        .with_columns(
            source=pl.when(pl.col("observations") >= MIN_OBSERVATIONS)
            .then(pl.lit("cell"))
            .when(pl.col("age_n") >= MIN_OBSERVATIONS)
            .then(pl.lit("stage_age"))
            .when(pl.col("stage_n") >= MIN_OBSERVATIONS)
            .then(pl.lit("stage"))
            .otherwise(pl.lit("overall"))
        )
        .with_columns(
            rate=pl.when(pl.col("source") == "cell")
            .then(pl.col("won") / pl.col("observations"))
            .when(pl.col("source") == "stage_age")
            .then(pl.col("age_won") / pl.col("age_n"))
            .when(pl.col("source") == "stage")
            .then(pl.col("stage_won") / pl.col("stage_n"))
            .otherwise(pl.lit(overall))
        )
        .select("stage_name", "age_band", "close_band", "observations", "won", "rate", "source")
    )

    wins = observed.filter(pl.col("won")).with_columns(
        slip=(pl.col("won_month") - pl.col("expected_month")).clip(0, MAX_SLIP_MONTHS)
    )
    if wins.height:
        counts = {k: 0 for k in range(MAX_SLIP_MONTHS + 1)}
        for k, n in wins.group_by("slip").len().iter_rows():
            counts[int(k)] = int(n)
        slip = tuple(counts[k] / wins.height for k in range(MAX_SLIP_MONTHS + 1))
    else:
        slip = (1.0,) + (0.0,) * MAX_SLIP_MONTHS
    return Conversion(cutoff=cutoff, table=table, overall_rate=overall, slip=slip, observations=n_all)
