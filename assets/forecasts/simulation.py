"""Bookings by simulation: each open deal is won with its learned probability (Bernoulli), in its
expected close month plus a slippage drawn from the learned distribution, and new business not yet in
the pipeline is drawn as deals per payee and month (:mod:`assets.forecasts.new_business`).

Simulation i draws the pipeline from its own seeded stream ``default_rng([seed, i])``
and new business from ``default_rng([seed, i, 1])``, so any scenario can be
regenerated alone and a rerun gives the same scenarios.
Scenarios are ranked by the company's simulated bookings over the horizon (in
the corporate currency, pipeline and new business); the P10 / P50 / P90 scenario is, among the
simulations ranked within 2% of round(q x (n - 1)), the one whose monthly bookings are nearest the
months' own q-quantiles, so that a scenario's months are typical too, not only its total.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import polars as pl

from assets.forecasts.calendar import add_months, first_open_month
from assets.forecasts.new_business import NEW_DEALS_SCHEMA, NewBusiness, company_by_month, draw, new_deals

SEED = 20_261_127
N_SIMULATIONS = 1000
QUANTILES = {"P10": 0.1, "P50": 0.5, "P90": 0.9}
WINDOW = 0.02  # a scenario's horizon total ranks within 2% of the simulations of its quantile


@dataclass(frozen=True)
class Scenario:
    name: str  # P10, P50, P90
    simulation: int
    company_bookings: float  # corporate currency, over the horizon
    won: pl.DataFrame  # opportunity_id, close_date (simulated)
    company_by_month: tuple[float, ...] = ()  # corporate currency, first open month first
    # new business: new_business.NEW_DEALS_SCHEMA
    new_deals: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=NEW_DEALS_SCHEMA))


def _draw(p: np.ndarray, slip_cdf: np.ndarray, seed: int, i: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng([seed, i])
    won = rng.random(p.shape[0]) < p
    slip = np.minimum(np.searchsorted(slip_cdf, rng.random(p.shape[0]), side="right"), len(slip_cdf) - 1)
    return won, slip


def pick_scenario(by_month: np.ndarray, q: float) -> int:
    """The simulation standing for quantile q: among those whose horizon total ranks within
    ``WINDOW`` of round(q x (n - 1)), the one whose months are nearest the months' own q-quantiles
    (sum of squared deviations in standard deviations; ties by simulation number)."""
    n = by_month.shape[0]
    totals = by_month.sum(axis=1)
    order = np.lexsort((np.arange(n), totals))
    rank, width = int(round(q * (n - 1))), int(round(WINDOW * (n - 1)))
    candidates = order[max(0, rank - width): rank + width + 1]
    if by_month.shape[1] == 0:
        return int(order[rank])
    target = np.quantile(by_month, q, axis=0)
    sd = by_month.std(axis=0)
    sd[sd == 0] = 1.0
    distance = (((by_month[candidates] - target) / sd) ** 2).sum(axis=1)
    return int(candidates[np.lexsort((candidates, distance))[0]])


def simulate(
    deals: pl.DataFrame,
    slip: tuple[float, ...],
    origin: date,
    last_month: int,
    *,
    new_business: NewBusiness | None = None,
    n_simulations: int = N_SIMULATIONS,
    seed: int = SEED,
) -> tuple[np.ndarray, list[Scenario]]:
    """``deals``: opportunity_id, win_probability, expected_month, close_date, amount_corporate (sorted by id).

    Returns the company bookings of every simulation per month (n_simulations x months, from the first
    open month to ``last_month``) and the P10/P50/P90 scenarios.
    """
    first = first_open_month(origin)
    n_months = max(0, last_month - first + 1)
    deals = deals.sort("opportunity_id")
    p = deals["win_probability"].to_numpy().astype(float)
    expected = deals["expected_month"].to_numpy().astype(np.int64)
    amount = deals["amount_corporate"].fill_null(0.0).to_numpy().astype(float)
    slip_cdf = np.cumsum(np.asarray(slip, dtype=float))
    slip_cdf[-1] = 1.0

    def bookings(i: int):
        won, k = _draw(p, slip_cdf, seed, i)
        inside = won & (expected + k <= last_month)
        months = np.bincount(np.maximum(expected + k - first, 0)[inside], weights=amount[inside], minlength=n_months)
        drawn = None
        if new_business is not None:
            drawn = draw(new_business, seed, i)
            months = months + company_by_month(new_business, drawn)
        return won, k, inside, months, drawn

    by_month = np.zeros((n_simulations, n_months))
    for i in range(n_simulations):
        by_month[i] = bookings(i)[3]
    totals = by_month.sum(axis=1)
    base = deals.select(
        "opportunity_id",
        base_date=pl.max_horizontal(pl.col("close_date").fill_null(origin + timedelta(days=1)),
                                    pl.lit(origin + timedelta(days=1))),
    )["base_date"].to_list()
    ids = deals["opportunity_id"].to_list()
    scenarios = []
    for name, q in QUANTILES.items():
        i = pick_scenario(by_month, q)
        won, k, inside, months, drawn = bookings(i)
        rows = [(ids[j], add_months(base[j], int(k[j]))) for j in np.flatnonzero(inside)]
        scenarios.append(
            Scenario(
                name=name,
                simulation=i,
                company_bookings=float(totals[i]),
                won=pl.DataFrame(rows, schema={"opportunity_id": pl.Utf8, "close_date": pl.Date}, orient="row"),
                company_by_month=tuple(float(v) for v in months),
                new_deals=(new_deals(new_business, drawn) if drawn is not None
                           else pl.DataFrame(schema=NEW_DEALS_SCHEMA)),
            )
        )
    return by_month, scenarios
