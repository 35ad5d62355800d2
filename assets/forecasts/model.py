"""The bookings forecast at one origin date: actuals so far + weighted pipeline + time series of new business.

For a level's entity and a target month m, h months after the first open month:

    forecast(m) = actual to date (the origin's own month only)
                + Σ open deals: amount x conversion(stage, age) x slip(k), k = m - expected month
                + share_h x TS(m)

TS(m) is the time-series forecast of the entity's total monthly bookings
(:mod:`assets.forecasts.timeseries`) and share_h the part of a month's
bookings that, historically, came from deals not yet created at the same
distance before it (learned on the company's last 12 complete months). Near
months are therefore mostly pipeline, far months mostly time series, with no
double counting. The interval (P10/P90) is a normal approximation:
variance = Σ amount² q(1 - q) of the pipeline + (share_h x TS sd)².
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from assets.forecasts.calendar import first_open_month, month_label, month_start, shift_origin
from assets.forecasts.conversion import Conversion, learn_conversion
from assets.forecasts.extract import ForecastInputs
from assets.forecasts.pipeline import (
    COMPANY_ID,
    LEVELS,
    allocation,
    expected_by_month,
    pipeline_by_level,
    weighted_deals,
)
from assets.forecasts.timeseries import forecast_many, seasonal_naive

Z90 = 1.2815515655446004  # standard normal quantile of 0.9
SHARE_LOOKBACK_MONTHS = 12


@dataclass(frozen=True)
class Forecast:
    origin: date
    first_month: int
    conversion: Conversion
    deals: pl.DataFrame  # open deals with win probability (deal level)
    allocation: pl.DataFrame  # opportunity_id, level, entity_id, currency, factor
    rows: pl.DataFrame  # level, entity_id, currency, month, ... forecast, p10, p90, seasonal_naive
    history: pl.DataFrame  # level, entity_id, currency, month, actual (complete months before the origin)


def entities(inputs: ForecastInputs) -> pl.DataFrame:
    """level, entity_id, currency: every payee, every manager with someone below them today, the company."""
    payees = inputs.payees.select(level=pl.lit("payee"), entity_id="employee_id", currency="currency")
    managers = (
        inputs.payees.filter(pl.col("manager_employee_id") != pl.col("employee_id"))
        .select(employee_id="manager_employee_id")
        .unique()
    )
    teams = managers.join(inputs.payees, on="employee_id").select(
        level=pl.lit("team"), entity_id="employee_id", currency="currency"
    )
    company = pl.DataFrame({"level": ["company"], "entity_id": [COMPANY_ID], "currency": [inputs.corporate_currency]})
    return pl.concat([payees, teams, company]).sort("level", "entity_id")


def actual_credits(inputs: ForecastInputs) -> pl.DataFrame:
    """Credit per level: payee = own credit, team = the manager's roll-up credit, company = own credit in corporate currency."""
    own = inputs.credits.filter(pl.col("credit_type") != "rollup")
    payee = own.select("credit_date", "month", "opportunity_id", level=pl.lit("payee"), entity_id="employee_id", amount="amount")
    team = inputs.credits.filter(pl.col("credit_type") == "rollup").select(
        "credit_date", "month", "opportunity_id", level=pl.lit("team"), entity_id="employee_id", amount="amount"
    )
    company = own.select(
        "credit_date", "month", "opportunity_id", level=pl.lit("company"), entity_id=pl.lit(COMPANY_ID),
        amount="amount_corporate",
    )
    return pl.concat([payee, team, company])


def new_business_shares(inputs: ForecastInputs, origin: date, horizon: int) -> list[float]:
    """share_h: of the company's bookings in a month, the part from deals created after the analogous origin."""
    first = first_open_month(origin)
    own = (
        inputs.credits.filter((pl.col("credit_type") != "rollup") & (pl.col("credit_date") <= origin))
        .join(inputs.deals.select("opportunity_id", "created"), on="opportunity_id", how="left")
        .select("month", "credit_date", "created", "amount_corporate")
    )
    months = list(range(first - SHARE_LOOKBACK_MONTHS, first))
    shares = []
    for h in range(horizon):
        new_total, total = 0.0, 0.0
        for m in months:
            analog = shift_origin(origin, m - (first + h))
            in_month = own.filter(pl.col("month") == m)
            total += float(in_month["amount_corporate"].sum())
            new_total += float(
                in_month.filter((pl.col("credit_date") > analog) & (pl.col("created").fill_null(analog) > analog))[
                    "amount_corporate"
                ].sum()
            )
        shares.append(new_total / total if total else 1.0)
    return shares


def _matrix(history: pl.DataFrame, keys: pl.DataFrame, first_month: int, n_months: int) -> np.ndarray:
    values = np.zeros((keys.height, n_months))
    if n_months == 0:
        return values
    index = {k: i for i, k in enumerate(keys["entity_id"].to_list())}
    for entity, month, amount in history.select("entity_id", "month", "actual").iter_rows():
        if entity in index and first_month <= month < first_month + n_months:
            values[index[entity], month - first_month] = amount
    return values


def forecast_at(inputs: ForecastInputs, origin: date, horizon: int) -> Forecast:
    """The bookings forecast of the ``horizon`` months from the first open month after ``origin``."""
    first = first_open_month(origin)
    conversion = learn_conversion(inputs.history, inputs.deals, origin, cache=inputs.state_cache)
    deals = weighted_deals(inputs, conversion, origin)
    alloc = allocation(inputs, deals.select("opportunity_id"), origin)
    pipeline = pipeline_by_level(expected_by_month(deals, conversion.slip), alloc).filter(
        pl.col("month") < first + horizon
    )

    credits = actual_credits(inputs).filter(pl.col("credit_date") <= origin)
    history = (
        credits.filter(pl.col("month") < first)
        .group_by("level", "entity_id", "month")
        .agg(actual=pl.col("amount").sum())
        .sort("level", "entity_id", "month")
    )
    to_date = (
        credits.filter(pl.col("month") == first)
        .group_by("level", "entity_id")
        .agg(actual_to_date=pl.col("amount").sum())
        .with_columns(month=pl.lit(first, dtype=pl.Int64))
    )
    series_start = int(history["month"].min()) if history.height else first
    n_months = first - series_start
    shares = new_business_shares(inputs, origin, horizon)
    terminated = {
        e: t for e, t in inputs.payees.select("employee_id", "termination_date").iter_rows() if t is not None
    }

    ents = entities(inputs)
    frames = []
    for level in LEVELS:
        keys = ents.filter(pl.col("level") == level)
        values = _matrix(history.filter(pl.col("level") == level), keys, series_start, n_months)
        if n_months:
            mean, sd, models = forecast_many(values, series_start, horizon, seasonal=level != "payee")
            naive = seasonal_naive(values, np.arange(horizon))
        else:
            mean = sd = naive = np.zeros((keys.height, horizon))
            models = ["none"] * keys.height
        rows = []
        for i, (entity, currency) in enumerate(keys.select("entity_id", "currency").iter_rows()):
            for h in range(horizon):
                month = first + h
                ended = entity in terminated and level == "payee" and terminated[entity] < month_start(month)
                ts = 0.0 if ended else float(mean[i, h])
                rows.append((level, entity, currency, month, h, models[i], ts, 0.0 if ended else float(sd[i, h]),
                             shares[h], float(naive[i, h])))
        frames.append(
            pl.DataFrame(
                rows,
                schema={"level": pl.Utf8, "entity_id": pl.Utf8, "currency": pl.Utf8, "month": pl.Int64,
                        "horizon": pl.Int64, "model": pl.Utf8, "timeseries": pl.Float64, "timeseries_sd": pl.Float64,
                        "new_business_share": pl.Float64, "seasonal_naive": pl.Float64},
                orient="row",
            )
        )
    rows = (
        pl.concat(frames)
        .join(pipeline.drop("currency"), on=["level", "entity_id", "month"], how="left")
        .join(to_date, on=["level", "entity_id", "month"], how="left")
        .with_columns(pl.col("pipeline_expected", "pipeline_variance", "actual_to_date").fill_null(0.0))
        .with_columns(timeseries_component=pl.col("new_business_share") * pl.col("timeseries").clip(0))
        .with_columns(
            forecast=pl.col("actual_to_date") + pl.col("pipeline_expected") + pl.col("timeseries_component"),
            sd=(pl.col("pipeline_variance") + (pl.col("new_business_share") * pl.col("timeseries_sd")) ** 2).sqrt(),
        )
        .with_columns(
            p10=pl.max_horizontal(pl.col("actual_to_date"), pl.col("forecast") - Z90 * pl.col("sd")),
            p90=pl.col("forecast") + Z90 * pl.col("sd"),
            period=pl.col("month").map_elements(month_label, return_dtype=pl.Utf8),
        )
        .sort("level", "entity_id", "month")
    )
    return Forecast(origin=origin, first_month=first, conversion=conversion, deals=deals, allocation=alloc,
                    rows=rows, history=history)
