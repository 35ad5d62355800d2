"""Open pipeline weighted by the learned conversion, placed in months, credited to payees, teams and the company.

Levels (docs/forecasts.md), as the warehouse's ``fct_pipeline_credit_share``
gives them with the engine's crediting rules (no crediting rule is repeated here):

* ``payee``: the deal's owner, or its OpportunitySplit owners by percentage
  (as fct_credit credits a won deal), in the payee's currency;
* ``team``: every manager above a credited payee in the HR chain valid on the
  origin date (effective-dated, as roll-up credit), in the manager's currency;
* ``company``: the credited shares of the deal, in the corporate currency.

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


def allocation(inputs: ForecastInputs, deal_ids: pl.DataFrame, origin: date) -> pl.DataFrame:
    """How one unit of each deal's amount (deal currency) credits each level's entities on the origin date.

    A read of ``fct_pipeline_credit_share``: its rows valid on ``origin`` for the
    deals asked, the share converted at the origin's rates.
    Returns opportunity_id, level, entity_id, currency, factor (share x rate_target / rate_deal).
    """
    rates = rates_on(inputs.rates, origin, inputs.corporate_currency)
    rate = lambda col: pl.col(col).replace_strict(rates, default=None, return_dtype=pl.Float64)  # noqa: E731
    return (
        inputs.credit_shares.filter((pl.col("valid_from") <= origin) & (pl.lit(origin) < pl.col("valid_to")))
        .join(deal_ids.select("opportunity_id"), on="opportunity_id", how="semi")
        .select(
            "opportunity_id",
            "level",
            "entity_id",
            currency=pl.col("entity_currency"),
            factor=pl.col("credit_share") * rate("entity_currency") / rate("deal_currency"),
        )
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
