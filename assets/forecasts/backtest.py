"""Backtest: refit at the end of each of the last six complete months, forecast the next, score by WAPE.

For target month t (the six complete months before the as-of date), the
origin is the last day of t - 1: conversion, slippage, the new-business share
and the time series are all refit on what was known then (OpportunityHistory
rows and credits up to the origin), and the forecast of t is compared with the
actual bookings of t and with the seasonal-naive forecast (actual of t - 12).
WAPE = Σ|actual - forecast| / Σ|actual| over the level's entities and months.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from assets.forecasts.calendar import month_end, month_index, month_label
from assets.forecasts.extract import ForecastInputs
from assets.forecasts.model import actual_credits, forecast_at
from assets.forecasts.pipeline import LEVELS

BACKTEST_MONTHS = 6


def backtest_targets(as_of: date, months: int = BACKTEST_MONTHS) -> list[int]:
    """The backtest's target months (month indexes): the ``months`` complete months before ``as_of``."""
    last_complete = month_index(as_of) - 1
    return list(range(last_complete - months + 1, last_complete + 1))


def backtest_origin(target: int) -> date:
    """Where the forecast of ``target`` starts: the last day of the month before it."""
    return month_end(target - 1)


def backtest_forecast(inputs: ForecastInputs, target: int) -> pl.DataFrame:
    """One backtest period: the one-month-ahead forecast of ``target`` refit at its origin
    (level, entity_id, currency, month, forecast, seasonal_naive). Independent of the other
    periods, so the periods may be computed in any order, in any process."""
    result = forecast_at(inputs, backtest_origin(target), horizon=1)
    return result.rows.filter(pl.col("month") == target).select(
        "level", "entity_id", "currency", "month", "forecast", "seasonal_naive")


def backtest_rows(inputs: ForecastInputs, forecasts: dict[int, pl.DataFrame]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The backtest from its periods' forecasts (``backtest_forecast`` by target month), joined with
    the actual bookings: (rows: level, entity_id, currency, period, actual, forecast, seasonal_naive;
    wape per level). Assembled in target-month order, whatever order the periods were computed in."""
    actual = (
        actual_credits(inputs)
        .filter(pl.col("credit_date") <= inputs.as_of)
        .group_by("level", "entity_id", "month")
        .agg(actual=pl.col("amount").sum())
    )
    frames = [
        forecasts[target]
        .join(actual, on=["level", "entity_id", "month"], how="left")
        .with_columns(pl.col("actual").fill_null(0.0), origin=pl.lit(backtest_origin(target)))
        for target in sorted(forecasts)
    ]
    rows = (
        pl.concat(frames)
        .with_columns(period=pl.col("month").map_elements(month_label, return_dtype=pl.Utf8))
        .select("level", "entity_id", "currency", "origin", "period", "actual", "forecast", "seasonal_naive")
        .sort("level", "entity_id", "period")
    )
    return rows, wape_by_level(rows)


def backtest(inputs: ForecastInputs, months: int = BACKTEST_MONTHS) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows: level, entity_id, currency, period, actual, forecast, seasonal_naive; wape per level)."""
    targets = backtest_targets(inputs.as_of, months)
    return backtest_rows(inputs, {target: backtest_forecast(inputs, target) for target in targets})


def wape_by_level(rows: pl.DataFrame) -> pl.DataFrame:
    scores = (
        rows.group_by("level")
        .agg(
            entities=pl.col("entity_id").n_unique(),
            months=pl.col("period").n_unique(),
            actual_total=pl.col("actual").abs().sum(),
            model_abs_error=(pl.col("actual") - pl.col("forecast")).abs().sum(),
            baseline_abs_error=(pl.col("actual") - pl.col("seasonal_naive")).abs().sum(),
        )
        .with_columns(
            wape_model=pl.when(pl.col("actual_total") > 0).then(pl.col("model_abs_error") / pl.col("actual_total")),
            wape_seasonal_naive=pl.when(pl.col("actual_total") > 0).then(
                pl.col("baseline_abs_error") / pl.col("actual_total")
            ),
        )
        .with_columns(beats_baseline=pl.col("wape_model") < pl.col("wape_seasonal_naive"))
    )
    order = pl.DataFrame({"level": list(LEVELS), "_order": list(range(len(LEVELS)))})
    return (
        scores.join(order, on="level")
        .sort("_order")
        .select("level", "entities", "months", "wape_model", "wape_seasonal_naive", "beats_baseline")
    )
