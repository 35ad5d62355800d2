"""Attainment forecast: (actual + forecast bookings) / quota, per payee and team, by month and quarter.

Payee: own-credit bookings over the payee's fct_quota. Team: the manager's
roll-up bookings over the manager's own quota (what a manager plan measures),
both in the manager's currency. A quarter's bookings are the actuals of its
complete months plus the forecast of the others; quarters reaching past the
horizon are left out. Without a quota (e.g. a plan year not configured yet)
attainment is null.
"""

from __future__ import annotations

import polars as pl

from assets.forecasts.calendar import month_label, quarter_of


def attainment_forecast(rows: pl.DataFrame, history: pl.DataFrame, quota: pl.DataFrame) -> pl.DataFrame:
    """``rows``: the forecast (level, entity_id, currency, month, forecast, p10, p90); ``history``:
    actual complete months (level, entity_id, month, actual); ``quota``: employee_id, month, monthly_quota."""
    levels = rows.filter(pl.col("level").is_in(["payee", "team"]))
    first, last = int(rows["month"].min()), int(rows["month"].max())
    first_quarter_month = first - first % 3
    quarter_actuals = history.filter(pl.col("month") >= first_quarter_month).select(
        "level", "entity_id", "month", bookings=pl.col("actual"), bookings_p10=pl.col("actual"),
        bookings_p90=pl.col("actual"), is_forecast=pl.lit(False),
    )
    forecast_months = levels.select(
        "level", "entity_id", "month", bookings=pl.col("forecast"), bookings_p10=pl.col("p10"),
        bookings_p90=pl.col("p90"), is_forecast=pl.lit(True),
    )
    months = (
        pl.concat([quarter_actuals, forecast_months])
        .join(levels.select("level", "entity_id", "currency").unique(), on=["level", "entity_id"])
        .join(quota.select(entity_id="employee_id", month="month", quota="monthly_quota"),
              on=["entity_id", "month"], how="left")
        .with_columns(quarter=(pl.col("month") // 3))
        # joins do not keep an order: sorted, a quarter's float sum adds its months in one order every run
        .sort("level", "entity_id", "month")
    )
    complete_quarters = [q for q in range(first // 3, last // 3 + 1) if q * 3 + 2 <= last]
    quarters = (
        months.filter(pl.col("quarter").is_in(complete_quarters))
        .group_by("level", "entity_id", "currency", "quarter", maintain_order=True)
        .agg(
            quarter_bookings=pl.col("bookings").sum(),
            quarter_bookings_p10=pl.col("bookings_p10").sum(),
            quarter_bookings_p90=pl.col("bookings_p90").sum(),
            quarter_quota=pl.when(pl.col("quota").is_not_null().all()).then(pl.col("quota").sum()),
        )
    )
    out = (
        months.filter(pl.col("is_forecast"))
        .join(quarters, on=["level", "entity_id", "currency", "quarter"], how="left")
        .with_columns(
            attainment=pl.when(pl.col("quota") > 0).then(pl.col("bookings") / pl.col("quota")),
            quarter_attainment=pl.when(pl.col("quarter_quota") > 0).then(
                pl.col("quarter_bookings") / pl.col("quarter_quota")
            ),
            quarter_attainment_p10=pl.when(pl.col("quarter_quota") > 0).then(
                pl.col("quarter_bookings_p10") / pl.col("quarter_quota")
            ),
            quarter_attainment_p90=pl.when(pl.col("quarter_quota") > 0).then(
                pl.col("quarter_bookings_p90") / pl.col("quarter_quota")
            ),
            period=pl.col("month").map_elements(month_label, return_dtype=pl.Utf8),
            quarter_label=pl.col("month").map_elements(quarter_of, return_dtype=pl.Utf8),
        )
    )
    return out.select(
        "level", "entity_id", "currency", "period", "month",
        pl.col("bookings").alias("bookings_forecast"), "quota", "attainment",
        pl.col("quarter_label").alias("quarter"), "quarter_bookings", "quarter_quota", "quarter_attainment",
        "quarter_attainment_p10", "quarter_attainment_p90",
    ).sort("level", "entity_id", "month")
