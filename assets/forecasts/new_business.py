"""New business not yet in the pipeline, simulated as deals (docs/forecasts.md, method section 7).

The bookings forecast counts ``share_h x TS(m)`` of month m's bookings as new
business: deals not created yet at the origin (model.py). For the payout
forecast the engine must see them as deals, so per payee and month:

* **target** = share_h x TS_payee(m) (the payee's currency), and
  **target_sd** = share_h x the time series' standard error: the same two
  numbers the bookings forecast uses at the payee level;
* **pool** = the payee's own won credit (fct_credit rows other than roll-up,
  status ``current``) dated in the last ``POOL_MONTHS`` complete months: one
  row per deal, with the payee's credit of it and their split percentage;
* the payees' targets of a month are **reconciled** to the company's
  share_h x TS_company(m) (the bookings forecast's company row): scaled by
  company / sum of payees (corporate currency), with their sd. The company's
  series holds what the payees' miss: business of people who leave (their
  series stop) goes to others and new hires, and a smoothed sum is not the sum
  of smoothed series (demo, scale 1: the payees' targets add up to 94% of the
  company's, scale 1.06);
* a simulation draws N deals from the pool with replacement (a bootstrap of
  the payee's recent deals), ``N ~ Poisson(lam x G_m x E_pm)`` with
  ``lam = target / mean pool credit``, so the expected total is the target
  exactly. ``G_m`` (one per month, shared by every payee) and ``E_pm`` (payee and
  month) are gamma factors with mean 1 whose variances top the compound-Poisson
  variance ``lam x E[c^2]`` up to the time series' variance at both levels::

      payee:    Var ~ lam E[c^2] + target^2 (v_m + v_pm)                         = target_sd^2
      company:  Var ~ sum lam E[c^2] + sum target^2 v_pm + (sum target)^2 v_m     = company target_sd^2

  (a variance is 0 when the deals' own randomness already reaches the level's
  variance: the range is then that of the deals alone);
* each drawn deal closes on a day drawn uniformly among the month's days after
  the origin, so new business never lands in a closed period.

Simulation i draws from its own stream ``default_rng([seed, i, NEW_BUSINESS_STREAM])``,
apart from the pipeline's ``default_rng([seed, i])``: a rerun gives the same
deals, and the pipeline's draws are those of a run without new business.
Clones are identified ``FCST-<period>-<employee>-<n>`` (CRM ids never hold a
hyphen; scenarios.py refuses a raw layer where one starts with the prefix).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from assets.forecasts.calendar import days_in_month, first_open_month, month_index, month_label, month_start

POOL_MONTHS = 12
ID_PREFIX = "FCST-"
NEW_BUSINESS_STREAM = 1
COMPANY = "company"

POOL_SCHEMA = {
    "employee_id": pl.Utf8, "crm_user_id": pl.Utf8, "opportunity_id": pl.Utf8, "credit_date": pl.Date,
    "split_percentage": pl.Decimal(38, 10), "amount_deal_currency": pl.Decimal(38, 10), "amount": pl.Float64,
    "amount_corporate": pl.Float64,
}
NEW_DEALS_SCHEMA = {
    "opportunity_id": pl.Utf8, "source_opportunity_id": pl.Utf8, "employee_id": pl.Utf8, "crm_user_id": pl.Utf8,
    "split_percentage": pl.Decimal(38, 10), "amount_deal_currency": pl.Decimal(38, 10), "close_date": pl.Date,
    "amount_corporate": pl.Float64,
}


def new_business_pool(credits: pl.DataFrame, payees: pl.DataFrame, origin: date) -> pl.DataFrame:
    """Each payee's own won credit of the last ``POOL_MONTHS`` complete months: what new business is drawn from.

    ``credits``: ForecastInputs.credits; ``payees``: employee_id, crm_user_id.
    Sorted by employee, credit date and deal (the draws index into this order).
    """
    first = first_open_month(origin)
    return (
        credits.filter(
            (pl.col("credit_type") != "rollup") & (pl.col("credit_status") == "current")
            & (pl.col("month") >= first - POOL_MONTHS) & (pl.col("month") < first)
            & (pl.col("credit_date") <= origin) & (pl.col("amount") > 0)
        )
        .join(payees.select("employee_id", "crm_user_id").filter(pl.col("crm_user_id").is_not_null()),
              on="employee_id")
        .select([pl.col(c).cast(t) for c, t in POOL_SCHEMA.items()])
        .sort("employee_id", "credit_date", "opportunity_id")
    )


def new_business_targets(rows: pl.DataFrame) -> pl.DataFrame:
    """Per payee (and the company) and month: target = share x TS, target_sd = share x TS sd (model rows)."""
    return (
        rows.filter(pl.col("level").is_in(["payee", "company"]))
        .select(
            "level", "entity_id", "currency", "month", "new_business_share",
            target=pl.col("new_business_share") * pl.col("timeseries").clip(0),
            target_sd=pl.col("new_business_share") * pl.col("timeseries_sd"),
        )
        .sort("level", "entity_id", "month")
    )


@dataclass(frozen=True)
class NewBusiness:
    """The draw's parameters: cells (payee x month with a target and a pool), the pool as arrays."""

    origin: date
    first_month: int
    n_months: int
    pool: pl.DataFrame  # POOL_SCHEMA, sorted as drawn
    cell_employee: np.ndarray  # employee id per cell (object)
    cell_payee: np.ndarray  # payee index per cell (into pool_start / pool_size)
    cell_month: np.ndarray  # month offset per cell, 0 = first_month
    cell_rate: np.ndarray  # expected number of deals (lam)
    cell_dispersion: np.ndarray  # variance of the payee-month gamma factor (v_pm)
    month_dispersion: np.ndarray  # variance of the company-month gamma factor (v_m)
    month_scale: np.ndarray  # company new business / sum of the payees' (1 without a company row)
    pool_start: np.ndarray
    pool_size: np.ndarray
    pool_corporate: np.ndarray
    open_first_day: np.ndarray  # per month offset: first day after the origin
    open_days: np.ndarray  # per month offset: number of days after the origin
    uncovered: pl.DataFrame  # payee months with a target but no pool: employee_id, month, target


def prepare(targets: pl.DataFrame, pool: pl.DataFrame, origin: date, last_month: int) -> NewBusiness:
    """The draw's parameters from the targets (:func:`new_business_targets`) and the pool
    (:func:`new_business_pool`), up to ``last_month``."""
    first = first_open_month(origin)
    n_months = max(0, last_month - first + 1)
    pool = pool.select(list(POOL_SCHEMA)).sort("employee_id", "credit_date", "opportunity_id")
    stats = (
        pool.with_row_index("row")
        .group_by("employee_id", maintain_order=True)
        .agg(start=pl.col("row").min(), size=pl.len(), mean=pl.col("amount").mean(),
             mean_square=(pl.col("amount") ** 2).mean(),
             to_corporate=pl.col("amount_corporate").sum() / pl.col("amount").sum())
        .with_row_index("payee")
    )
    payee_targets = targets.filter(
        (pl.col("level") == "payee") & (pl.col("month") >= first) & (pl.col("month") <= last_month)
        & (pl.col("target") > 0)
    ).select("entity_id", "month", "target", "target_sd")
    cells = (
        payee_targets.join(stats, left_on="entity_id", right_on="employee_id", how="inner")
        .sort("entity_id", "month")
        .with_columns(offset=pl.col("month") - first)
    )
    uncovered = payee_targets.join(stats, left_on="entity_id", right_on="employee_id", how="anti").select(
        employee_id="entity_id", month="month", target="target"
    ).sort("employee_id", "month")

    offset = cells["offset"].to_numpy().astype(np.int64)
    target = cells["target"].to_numpy().astype(float)
    target_sd = cells["target_sd"].to_numpy().astype(float)
    to_corporate = cells["to_corporate"].to_numpy().astype(float)
    mean_square = cells["mean_square"].to_numpy().astype(float)
    mean = cells["mean"].to_numpy().astype(float)

    company_sd = np.zeros(n_months)
    company_new = np.full(n_months, np.nan)
    company = targets.filter(pl.col("level") == "company").select("month", "target", "target_sd")
    for month, value, sd in company.iter_rows():
        if first <= month <= last_month:
            company_new[month - first], company_sd[month - first] = value, sd
    # reconciled to the company: the payees' targets of a month scaled to add up to the company's new business
    payee_new = np.bincount(offset, weights=target * to_corporate, minlength=n_months)
    month_scale = np.divide(company_new, payee_new, out=np.ones(n_months),
                            where=(payee_new > 0) & ~np.isnan(company_new))
    target, target_sd = target * month_scale[offset], target_sd * month_scale[offset]
    rate = target / mean
    poisson_variance = rate * mean_square

    # company factor per month: what the company's variance asks beyond the payees' own (in corporate units)
    payee_variance = np.bincount(offset, weights=(target_sd * to_corporate) ** 2, minlength=n_months)
    company_target = np.bincount(offset, weights=target * to_corporate, minlength=n_months)
    month_dispersion = np.divide(
        np.maximum(company_sd**2 - payee_variance, 0.0), company_target**2,
        out=np.zeros(n_months), where=company_target > 0,
    )
    cell_dispersion = np.divide(
        np.maximum(target_sd**2 - poisson_variance - month_dispersion[offset] * target**2, 0.0), target**2,
        out=np.zeros(len(target)), where=target > 0,
    )
    open_first_day = np.ones(n_months, dtype=np.int64)
    open_days = np.array([days_in_month(first + h) for h in range(n_months)], dtype=np.int64)
    if n_months and month_index(origin) == first:  # the origin's own month: only the days after it
        open_first_day[0] = origin.day + 1
        open_days[0] -= origin.day
    return NewBusiness(
        origin=origin,
        first_month=first,
        n_months=n_months,
        pool=pool,
        cell_employee=np.array(cells["entity_id"].to_list(), dtype=object),
        cell_payee=cells["payee"].to_numpy().astype(np.int64),
        cell_month=offset,
        cell_rate=rate,
        cell_dispersion=cell_dispersion,
        month_dispersion=month_dispersion,
        month_scale=month_scale,
        pool_start=stats["start"].to_numpy().astype(np.int64),
        pool_size=stats["size"].to_numpy().astype(np.int64),
        pool_corporate=pool["amount_corporate"].to_numpy().astype(float),
        open_first_day=open_first_day,
        open_days=open_days,
        uncovered=uncovered,
    )


def _gamma_mean_one(rng: np.random.Generator, variance: np.ndarray) -> np.ndarray:
    """Gamma factors with mean 1 and the given variance (exactly 1 where the variance is 0)."""
    out = np.ones(variance.shape[0])
    mask = variance > 0
    out[mask] = rng.gamma(1.0 / variance[mask], variance[mask])
    return out


@dataclass(frozen=True)
class Draw:
    cell: np.ndarray  # cell of each drawn deal (cells in employee, month order; deals in cell order)
    pool_row: np.ndarray  # the pool row it clones
    day: np.ndarray  # day of month of its CloseDate


def draw(nb: NewBusiness, seed: int, i: int) -> Draw:
    """Simulation i's new-business deals, from its own seeded stream."""
    rng = np.random.default_rng([seed, i, NEW_BUSINESS_STREAM])
    month_factor = _gamma_mean_one(rng, nb.month_dispersion)
    cell_factor = _gamma_mean_one(rng, nb.cell_dispersion)
    counts = rng.poisson(nb.cell_rate * month_factor[nb.cell_month] * cell_factor)
    cell = np.repeat(np.arange(counts.shape[0]), counts)
    payee = nb.cell_payee[cell]
    size = nb.pool_size[payee]
    pick = np.minimum((rng.random(cell.shape[0]) * size).astype(np.int64), size - 1)
    month = nb.cell_month[cell]
    days = nb.open_days[month]
    day = nb.open_first_day[month] + np.minimum((rng.random(cell.shape[0]) * days).astype(np.int64), days - 1)
    return Draw(cell=cell, pool_row=nb.pool_start[payee] + pick, day=day)


def company_by_month(nb: NewBusiness, drawn: Draw) -> np.ndarray:
    """The drawn deals' company bookings per month offset (corporate currency)."""
    return np.bincount(nb.cell_month[drawn.cell], weights=nb.pool_corporate[drawn.pool_row], minlength=nb.n_months)


def new_deals(nb: NewBusiness, drawn: Draw) -> pl.DataFrame:
    """The drawn deals as rows (NEW_DEALS_SCHEMA): id FCST-<period>-<employee>-<n>, the deal it clones, its close."""
    if drawn.cell.shape[0] == 0:
        return pl.DataFrame(schema=NEW_DEALS_SCHEMA)
    starts = np.searchsorted(drawn.cell, drawn.cell, side="left")
    number = np.arange(drawn.cell.shape[0]) - starts + 1
    month = nb.first_month + nb.cell_month[drawn.cell]
    ids = [
        f"{ID_PREFIX}{month_label(int(m))}-{e}-{int(n):05d}"
        for m, e, n in zip(month, nb.cell_employee[drawn.cell], number)
    ]
    closes = [month_start(int(m)).replace(day=int(d)) for m, d in zip(month, drawn.day)]
    source = nb.pool[drawn.pool_row.tolist()]
    return pl.DataFrame({
        "opportunity_id": ids,
        "source_opportunity_id": source["opportunity_id"],
        "employee_id": source["employee_id"],
        "crm_user_id": source["crm_user_id"],
        "split_percentage": source["split_percentage"],
        "amount_deal_currency": source["amount_deal_currency"],
        "close_date": pl.Series(closes, dtype=pl.Date),
        "amount_corporate": source["amount_corporate"],
    }).select([pl.col(c).cast(t) for c, t in NEW_DEALS_SCHEMA.items()]).sort("opportunity_id")
