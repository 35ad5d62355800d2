"""What the forecasts read from the warehouse (read-only), as polars frames.

Only marts: ``dim_opportunity``, ``fct_opportunity_history``,
``fct_pipeline_credit_share`` and ``dim_dated_conversion_rate`` (the forecast
marts, dbt_project/models/marts/forecasts/) and ``fct_credit``, ``fct_quota``,
``dim_payee`` (``fct_payable`` is read by :mod:`assets.forecasts.scenarios`).

Amounts are read as DOUBLE: the forecasts are statistical estimates computed in
float64 and written rounded to the cent (docs/forecasts.md); the payout
forecast's money comes from the dbt engine in DECIMAL and is never converted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from core.warehouse import read_only

CLOSED_STAGES = ("Closed Won", "Closed Lost")


@dataclass(frozen=True)
class ForecastInputs:
    as_of: date  # the newest CRM extract batch: the forecast origin
    corporate_currency: str
    history: pl.DataFrame  # opportunity_id, history_id, at (date), stage_name, amount, close_date
    deals: pl.DataFrame  # opportunity_id, owner_user_id, currency_code, created (date), opportunity_type
    # fct_pipeline_credit_share: opportunity_id, level, entity_id, entity_currency, deal_currency,
    # credit_share (deal currency per unit of amount), valid_from, valid_to
    credit_shares: pl.DataFrame
    payees: pl.DataFrame  # employee_id, crm_user_id, manager_employee_id, currency, full_name, termination_date
    # own and roll-up credit: employee_id, opportunity_id, credit_date, month, credit_type, amount,
    # amount_corporate, credit_status, split_percentage and amount_deal_currency (DECIMAL, for new business)
    credits: pl.DataFrame
    rates: pl.DataFrame  # currency_code, start_date, next_start_date, rate (units per corporate unit)
    quota: pl.DataFrame  # employee_id, month, monthly_quota, currency
    state_cache: dict = field(default_factory=dict, compare=False, repr=False)  # deal states by date (conversion.py)


def _frame(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    return pl.from_arrow(con.sql(sql).to_arrow_table())


def corporate_currency(con: duckdb.DuckDBPyConnection) -> str:
    """The currency DatedConversionRate is quoted against, as the warehouse says (the dbt var ``corporate_currency``)."""
    rows = con.sql("select distinct currency_code from dim_dated_conversion_rate where is_corporate_currency").fetchall()
    if len(rows) != 1:
        raise ValueError(f"dim_dated_conversion_rate flags {len(rows)} corporate currencies, expected one")
    return str(rows[0][0])


def read_inputs(warehouse: Path, corporate: str | None = None) -> ForecastInputs:
    """Read everything the forecasts need from the warehouse, read-only, in a stable order."""
    with read_only(warehouse) as con:
        ((as_of,),) = con.sql("select max(source_batch_date) from dim_opportunity").fetchall()
        if as_of is None:
            raise ValueError(f"{warehouse}: dim_opportunity is empty, nothing to forecast from")
        corporate = corporate or corporate_currency(con)
        history = _frame(
            con,
            """
            select opportunity_id, history_id, cast(created_at as date) as at, created_at as at_ts,
                   stage_name, cast(amount as double) as amount, close_date
            from fct_opportunity_history
            where opportunity_id is not null and created_at is not null
            order by opportunity_id, at_ts, history_id
            """,
        ).drop("at_ts")
        deals = _frame(
            con,
            """
            select opportunity_id, owner_user_id, currency_code, cast(created_at as date) as created,
                   opportunity_type
            from dim_opportunity
            order by opportunity_id
            """,
        )
        credit_shares = _frame(
            con,
            """
            select opportunity_id, level, entity_id, entity_currency, deal_currency,
                   cast(credit_share as double) as credit_share, valid_from, valid_to
            from fct_pipeline_credit_share
            order by opportunity_id, level, entity_id, credited_employee_id, valid_from
            """,
        )
        payees = _frame(
            con,
            """
            select employee_id, crm_user_id, manager_employee_id, currency, full_name, termination_date
            from dim_payee order by employee_id
            """,
        )
        credits = _frame(
            con,
            """
            select employee_id, opportunity_id, credit_date, credit_type,
                   cast(credit_amount as double) as amount,
                   cast(credit_amount_deal_currency as double) / cast(fx_rate_deal as double) as amount_corporate,
                   credit_status, split_percentage, credit_amount_deal_currency as amount_deal_currency
            from fct_credit
            where credit_status is not null
            order by employee_id, opportunity_id, credit_type, credited_from_employee_id
            """,
        )
        rates = _frame(
            con,
            """
            select currency_code, start_date, next_start_date, cast(conversion_rate as double) as rate
            from dim_dated_conversion_rate
            order by currency_code, start_date
            """,
        )
        quota = _frame(
            con,
            """
            select employee_id, period, sum(cast(monthly_quota as double)) as monthly_quota, currency
            from fct_quota group by employee_id, period, currency
            order by employee_id, period
            """,
        )
    month = (pl.col("credit_date").dt.year().cast(pl.Int64) * 12 + pl.col("credit_date").dt.month().cast(pl.Int64) - 1)
    credits = credits.with_columns(month.alias("month"))
    quota = quota.with_columns(
        (pl.col("period").str.slice(0, 4).cast(pl.Int64) * 12 + pl.col("period").str.slice(5, 2).cast(pl.Int64) - 1)
        .alias("month")
    ).drop("period")
    return ForecastInputs(
        as_of=as_of,
        corporate_currency=corporate,
        history=history,
        deals=deals,
        credit_shares=credit_shares,
        payees=payees,
        credits=credits,
        rates=rates,
        quota=quota,
    )


def rates_on(rates: pl.DataFrame, on: date, corporate_currency: str) -> dict[str, float]:
    """Units of each currency per corporate unit valid on a date (the corporate currency is 1).

    A currency without a rate on that date takes its newest earlier rate (a
    forecast, not a payout: the engine itself quarantines missing rates).
    """
    out: dict[str, float] = {corporate_currency: 1.0}
    for (currency,), group in rates.filter(pl.col("start_date") <= on).group_by(["currency_code"], maintain_order=True):
        row = group.sort("start_date").tail(1)
        out[currency] = float(row["rate"][0])
    return out
