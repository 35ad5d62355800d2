"""The forecast files BI reads, as declared tables: name, grain, columns and types (the contract),
and the P10 <= P50 <= P90 order each must keep.

The BI snapshot (assets/bi/snapshot.py) copies each file into ``spm_bi.duckdb`` under the table's
name, after checking that the file's columns and their types are exactly the declared ones; a
file that drifts (a column renamed, added or dropped, an amount written as a float) fails the
snapshot with one line naming the file and the differences. Types are DuckDB's, as DuckDB reads
the Parquet file. Amounts are DECIMAL(38,2): estimates rounded to the cent (bookings, quotas) or
the engine's payable rounded once per line (payout); shares and attainment ratios, which are not
money, are DOUBLE.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

AMOUNT = "DECIMAL(38,2)"


@dataclass(frozen=True)
class ForecastTable:
    name: str  # the table in the BI snapshot
    file: str  # under SPM_EXPORT_DIR/forecasts/
    grain: tuple[str, ...]  # a unique key: the rows' order in the snapshot
    columns: tuple[tuple[str, str], ...]  # (column, DuckDB type), in file order
    description: str
    # (low, middle, high) columns held to low <= middle <= high on every row where all three are set
    quantiles: tuple[tuple[str, str, str], ...] = ()


FORECAST_TABLES: tuple[ForecastTable, ...] = (
    ForecastTable(
        name="forecast_bookings",
        file="bookings_forecast.parquet",
        grain=("level", "entity_id", "period"),
        columns=(
            ("level", "VARCHAR"), ("entity_id", "VARCHAR"), ("entity_name", "VARCHAR"), ("currency", "VARCHAR"),
            ("period", "VARCHAR"), ("horizon", "BIGINT"), ("model", "VARCHAR"), ("actual_to_date", AMOUNT),
            ("pipeline_expected", AMOUNT), ("new_business_share", "DOUBLE"), ("timeseries_component", AMOUNT),
            ("forecast", AMOUNT), ("p10", AMOUNT), ("p90", AMOUNT),
        ),
        description="Bookings forecast per payee, team and company and month of the horizon: actual to date "
        "+ weighted open pipeline + time series, with its P10-P90 interval (forecast = the P50).",
        quantiles=(("p10", "forecast", "p90"),),
    ),
    ForecastTable(
        name="forecast_attainment",
        file="attainment_forecast.parquet",
        grain=("level", "entity_id", "period"),
        columns=(
            ("level", "VARCHAR"), ("entity_id", "VARCHAR"), ("currency", "VARCHAR"), ("period", "VARCHAR"),
            ("bookings_forecast", AMOUNT), ("quota", AMOUNT), ("attainment", "DOUBLE"), ("quarter", "VARCHAR"),
            ("quarter_bookings", AMOUNT), ("quarter_quota", AMOUNT), ("quarter_attainment", "DOUBLE"),
            ("quarter_attainment_p10", "DOUBLE"), ("quarter_attainment_p90", "DOUBLE"),
        ),
        description="Attainment forecast per payee and team and month: (actual + forecast bookings) / quota, "
        "for the month and its quarter, the quarter with its P10-P90 range (null without a quota).",
        quantiles=(("quarter_attainment_p10", "quarter_attainment", "quarter_attainment_p90"),),
    ),
    ForecastTable(
        name="forecast_payout",
        file="payout_forecast.parquet",
        grain=("scenario", "employee_id", "period", "currency"),
        columns=(
            ("scenario", "VARCHAR"), ("employee_id", "VARCHAR"), ("period", "VARCHAR"), ("currency", "VARCHAR"),
            ("payable_amount", AMOUNT),
        ),
        description="Payout forecast per scenario (actual, P10, P50, P90), payee, period and currency: the "
        "engine's fct_payable on each scenario's simulated bookings, rounded once per line.",
    ),
    ForecastTable(
        name="forecast_payout_summary",
        file="payout_summary.parquet",
        grain=("scenario", "period", "currency"),
        columns=(
            ("scenario", "VARCHAR"), ("period", "VARCHAR"), ("currency", "VARCHAR"), ("payable_amount", AMOUNT),
        ),
        description="Payout forecast per scenario (actual, P10, P50, P90), period and currency: "
        "forecast_payout summed.",
    ),
    ForecastTable(
        name="forecast_territory_proposal",
        file="territory_proposal.parquet",
        grain=("plan_year", "employee_id"),
        columns=(
            ("plan_year", "BIGINT"), ("history_year", "BIGINT"), ("employee_id", "VARCHAR"),
            ("current_territory_id", "VARCHAR"), ("proposed_territory_id", "VARCHAR"), ("is_move", "BOOLEAN"),
            ("capacity_opportunities", "BIGINT"), ("current_expected_bookings", AMOUNT),
            ("proposed_expected_bookings", AMOUNT), ("expected_bookings_change", AMOUNT), ("currency", "VARCHAR"),
            ("solver_status", "VARCHAR"),
        ),
        description="Territory fit (assets/planning/territory_fit.py): per plan year and rep, the current and the "
        "proposed territory (the assignment maximising expected bookings under capacity and coverage), the rep's "
        "capacity in opportunities and expected bookings in each.",
    ),
    ForecastTable(
        name="forecast_territory_summary",
        file="territory_proposal_summary.parquet",
        grain=("plan_year", "territory_id"),
        columns=(
            ("plan_year", "BIGINT"), ("history_year", "BIGINT"), ("territory_id", "VARCHAR"), ("demand_share", "DOUBLE"),
            ("current_reps", "BIGINT"), ("proposed_reps", "BIGINT"), ("reps_in", "VARCHAR"), ("reps_out", "VARCHAR"),
            ("current_capacity", "BIGINT"), ("proposed_capacity", "BIGINT"), ("current_expected_bookings", AMOUNT),
            ("proposed_expected_bookings", AMOUNT), ("held_back_current_bookings", AMOUNT),
            ("held_back_proposed_bookings", AMOUNT), ("currency", "VARCHAR"), ("solver_status", "VARCHAR"),
        ),
        description="Territory fit per plan year and territory: reps and capacity now and proposed, who moves in "
        "and out, expected bookings of both assignments and, for a plan year whose deals are known, both scored "
        "on that held-back year (the backtest).",
    ),
)


def column_schema(name: str):
    """The table's columns and types as Dagster's ``dagster/column_schema`` (the asset's columns tab)."""
    import dagster as dg

    table = next(t for t in FORECAST_TABLES if t.name == name)
    return dg.TableSchema(columns=[dg.TableColumn(column, kind) for column, kind in table.columns])


def schema_differences(table: ForecastTable, found: list[tuple[str, str]]) -> list[str]:
    """What differs between ``table``'s declared columns and ``found`` ((column, DuckDB type) in file
    order): missing and unexpected columns, wrong types, then the order; empty when they match."""
    declared = dict(table.columns)
    actual = dict(found)
    problems = [f"missing column {c} ({t})" for c, t in table.columns if c not in actual]
    problems += [f"unexpected column {c} ({t})" for c, t in found if c not in declared]
    problems += [f"column {c} is {actual[c]}, declared {t}" for c, t in table.columns
                 if c in actual and actual[c] != t]
    if not problems and [c for c, _ in found] != [c for c, _ in table.columns]:
        problems.append(f"columns in the order {[c for c, _ in found]}, declared {[c for c, _ in table.columns]}")
    return problems


def quantile_order_violations(frame: pl.DataFrame, low: str, middle: str, high: str) -> pl.DataFrame:
    """The rows of ``frame`` where ``low <= middle <= high`` does not hold (rows with a null in any of
    the three are not held to it: e.g. attainment without a quota)."""
    known = pl.col(low).is_not_null() & pl.col(middle).is_not_null() & pl.col(high).is_not_null()
    return frame.filter(known & ((pl.col(low) > pl.col(middle)) | (pl.col(middle) > pl.col(high))))


# The payout scenarios are quantiles of the company's simulated bookings over the horizon, not of
# each payee's (or each period's) payout: a period may pay more under P10 than under P50
# (docs/forecasts.md). Their order is checked where it holds by construction: the scenarios'
# company bookings.
SCENARIOS = ("P10", "P50", "P90")


def scenario_order_problems(scenarios: list[dict]) -> list[str]:
    """``scenarios``: payout_forecast.json's ``scenarios`` (name, company_bookings). Problems: a
    scenario missing, or company bookings not in the order P10 <= P50 <= P90."""
    bookings = {s["name"]: s["company_bookings"] for s in scenarios}
    missing = [name for name in SCENARIOS if name not in bookings]
    if missing:
        return [f"scenario(s) {', '.join(missing)} missing"]
    values = [bookings[name] for name in SCENARIOS]
    if not values[0] <= values[1] <= values[2]:
        return ["company bookings out of order: " + ", ".join(f"{n} {bookings[n]:,.2f}" for n in SCENARIOS)]
    return []


def payout_order_exceptions(payout: pl.DataFrame) -> pl.DataFrame:
    """The payee-period-currency rows of ``forecast_payout`` whose payable is not ordered P10 <= P50 <=
    P90 (a scenario missing counts as 0): reported, not failed (see ``SCENARIOS``)."""
    wide = (
        payout.filter(pl.col("scenario").is_in(SCENARIOS))
        .pivot(on="scenario", index=["employee_id", "period", "currency"], values="payable_amount")
        .sort("employee_id", "period", "currency")
    )
    for name in SCENARIOS:
        if name not in wide.columns:
            wide = wide.with_columns(pl.lit(0).cast(payout.schema["payable_amount"]).alias(name))
    wide = wide.with_columns(pl.col(*SCENARIOS).fill_null(0))
    return quantile_order_violations(wide, *SCENARIOS).select("employee_id", "period", "currency", *SCENARIOS)
