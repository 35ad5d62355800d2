"""Open pipeline weighted by the learned conversion, placed in months, credited to payees, teams and the company.

Levels (docs/forecasts.md):

* ``payee``: the deal's owner, or its OpportunitySplit owners by percentage
  (as fct_credit credits a won deal), in the payee's currency;
* ``team``: every manager above a credited payee in the current HR chain
  (dim_payee.manager_employee_id, like roll-up credit), in the manager's currency;
* ``company``: the whole deal, in the corporate currency.

Amounts convert at the rates valid on the origin date. CRM users without an HR
record get nothing (the engine quarantines such credit), at every level.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from assets.forecasts.conversion import Conversion, open_states_at
from assets.forecasts.extract import ForecastInputs, rates_on

LEVELS = ("payee", "team", "company")
COMPANY_ID = "company"
MAX_CHAIN_DEPTH = 10


def ancestors(payees: pl.DataFrame) -> pl.DataFrame:
    """(employee_id, manager_id, depth) for every manager above each payee; cycles are cut."""
    manager = {e: m for e, m in payees.select("employee_id", "manager_employee_id").iter_rows()}
    rows = []
    for employee in sorted(manager):
        seen = {employee}
        current, depth = manager.get(employee), 1
        while current is not None and current in manager and current not in seen and depth <= MAX_CHAIN_DEPTH:
            rows.append((employee, current, depth))
            seen.add(current)
            current, depth = manager.get(current), depth + 1
    return pl.DataFrame(rows, schema={"employee_id": pl.Utf8, "manager_id": pl.Utf8, "depth": pl.Int64}, orient="row")


def allocation(inputs: ForecastInputs, deal_ids: pl.DataFrame, origin: date) -> pl.DataFrame:
    """How one unit of each deal's amount (deal currency) credits each level's entities.

    Returns opportunity_id, level, entity_id, currency, factor (share x rate_target / rate_deal).
    """
    rates = rates_on(inputs.rates, origin, inputs.corporate_currency)
    rate = lambda col: pl.col(col).replace_strict(rates, default=None, return_dtype=pl.Float64)  # noqa: E731
    deals = deal_ids.join(inputs.deals, on="opportunity_id", how="inner")
    split_deals = deals.join(inputs.splits, on="opportunity_id", how="inner").select("opportunity_id", "user_id", "share")
    owners = (
        deals.join(inputs.splits.select("opportunity_id").unique(), on="opportunity_id", how="anti")
        .select("opportunity_id", user_id=pl.col("owner_user_id"), share=pl.lit(1.0))
    )
    shares = (
        pl.concat([split_deals, owners])
        .join(inputs.payees.select("employee_id", user_id="crm_user_id", payee_currency="currency"), on="user_id")
        .join(deals.select("opportunity_id", "currency_code"), on="opportunity_id")
    )
    payee = shares.select(
        "opportunity_id",
        level=pl.lit("payee"),
        entity_id=pl.col("employee_id"),
        currency=pl.col("payee_currency"),
        factor=pl.col("share") * rate("payee_currency") / rate("currency_code"),
    )
    team = (
        shares.join(ancestors(inputs.payees), on="employee_id")
        .join(inputs.payees.select(manager_id="employee_id", manager_currency="currency"), on="manager_id")
        .select(
            "opportunity_id",
            level=pl.lit("team"),
            entity_id=pl.col("manager_id"),
            currency=pl.col("manager_currency"),
            factor=pl.col("share") * rate("manager_currency") / rate("currency_code"),
        )
    )
    company = shares.select(
        "opportunity_id",
        level=pl.lit("company"),
        entity_id=pl.lit(COMPANY_ID),
        currency=pl.lit(inputs.corporate_currency),
        factor=pl.col("share") / rate("currency_code"),
    )
    return (
        pl.concat([payee, team, company])
        .filter(pl.col("factor").is_not_null())
        .group_by("opportunity_id", "level", "entity_id", "currency")
        .agg(pl.col("factor").sum())
        .sort("opportunity_id", "level", "entity_id")
    )


def weighted_deals(inputs: ForecastInputs, conversion: Conversion, origin: date) -> pl.DataFrame:
    """Open deals at the origin with their win probability and expected close month (one row per deal)."""
    return (
        open_states_at(inputs.history, inputs.deals, origin, inputs.state_cache)
        .join(
            conversion.table.select("stage_name", "age_band", "close_band", win_probability="rate"),
            on=["stage_name", "age_band", "close_band"],
        )
        .join(inputs.deals.select("opportunity_id", "currency_code"), on="opportunity_id")
        .select(
            "opportunity_id", "stage_name", "age_band", "close_band", "age_days", "amount", "currency_code", "close_date",
            "expected_month", "win_probability",
        )
        .sort("opportunity_id")
    )


def expected_by_month(deals: pl.DataFrame, slip: tuple[float, ...]) -> pl.DataFrame:
    """Each deal's expected won amount per month: amount x p x slip_k in expected_month + k.

    ``q`` is the probability the deal is won in that month (p x slip_k); the
    variance of that month's won amount is amount^2 q (1 - q).
    """
    slips = pl.DataFrame({"k": list(range(len(slip))), "slip_share": list(slip)}).filter(pl.col("slip_share") > 0)
    return (
        deals.join(slips, how="cross")
        .with_columns(month=pl.col("expected_month") + pl.col("k"), q=pl.col("win_probability") * pl.col("slip_share"))
        .select("opportunity_id", "month", "amount", "q")
        .sort("opportunity_id", "month")
    )


def pipeline_by_level(by_month: pl.DataFrame, alloc: pl.DataFrame) -> pl.DataFrame:
    """Σ over deals: expected (amount·factor·q) and variance ((amount·factor)^2 q(1-q)) per level, entity, month."""
    return (
        by_month.join(alloc, on="opportunity_id")
        .with_columns(value=pl.col("amount") * pl.col("factor"))
        .group_by("level", "entity_id", "currency", "month")
        .agg(
            pipeline_expected=(pl.col("value") * pl.col("q")).sum(),
            pipeline_variance=(pl.col("value") ** 2 * pl.col("q") * (1 - pl.col("q"))).sum(),
        )
        .sort("level", "entity_id", "month")
    )
