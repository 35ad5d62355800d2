"""Pipeline outcomes by simulation: each open deal is won with its learned probability (Bernoulli),
in its expected close month plus a slippage drawn from the learned distribution.

Simulation i draws from its own seeded stream ``default_rng([seed, i])``, so any
scenario can be regenerated alone and a rerun gives the same scenarios.
Scenarios are ranked by the company's simulated bookings over the horizon (in
the corporate currency); the P10 / P50 / P90 scenarios are those at ranks
round(q x (n - 1)) (ties by simulation number).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from assets.forecasts.calendar import add_months

SEED = 20_261_127
N_SIMULATIONS = 1000
QUANTILES = {"P10": 0.1, "P50": 0.5, "P90": 0.9}


@dataclass(frozen=True)
class Scenario:
    name: str  # P10, P50, P90
    simulation: int
    company_bookings: float  # corporate currency, over the horizon
    won: pl.DataFrame  # opportunity_id, close_date (simulated)


def _draw(p: np.ndarray, slip_cdf: np.ndarray, seed: int, i: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng([seed, i])
    won = rng.random(p.shape[0]) < p
    slip = np.minimum(np.searchsorted(slip_cdf, rng.random(p.shape[0]), side="right"), len(slip_cdf) - 1)
    return won, slip


def simulate(
    deals: pl.DataFrame,
    slip: tuple[float, ...],
    origin: date,
    last_month: int,
    *,
    n_simulations: int = N_SIMULATIONS,
    seed: int = SEED,
) -> tuple[np.ndarray, list[Scenario]]:
    """``deals``: opportunity_id, win_probability, expected_month, close_date, amount_corporate (sorted by id).

    Returns the company bookings of every simulation and the P10/P50/P90 scenarios.
    """
    deals = deals.sort("opportunity_id")
    p = deals["win_probability"].to_numpy().astype(float)
    expected = deals["expected_month"].to_numpy().astype(np.int64)
    amount = deals["amount_corporate"].fill_null(0.0).to_numpy().astype(float)
    slip_cdf = np.cumsum(np.asarray(slip, dtype=float))
    slip_cdf[-1] = 1.0
    totals = np.empty(n_simulations)
    for i in range(n_simulations):
        won, k = _draw(p, slip_cdf, seed, i)
        inside = won & (expected + k <= last_month)
        totals[i] = float(amount[inside].sum())
    order = np.lexsort((np.arange(n_simulations), totals))
    base = deals.select(
        "opportunity_id",
        base_date=pl.max_horizontal(pl.col("close_date").fill_null(origin + timedelta(days=1)),
                                    pl.lit(origin + timedelta(days=1))),
    )["base_date"].to_list()
    ids = deals["opportunity_id"].to_list()
    scenarios = []
    for name, q in QUANTILES.items():
        i = int(order[int(round(q * (n_simulations - 1)))])
        won, k = _draw(p, slip_cdf, seed, i)
        inside = won & (expected + k <= last_month)
        rows = [(ids[j], add_months(base[j], int(k[j]))) for j in np.flatnonzero(inside)]
        scenarios.append(
            Scenario(
                name=name,
                simulation=i,
                company_bookings=float(totals[i]),
                won=pl.DataFrame(rows, schema={"opportunity_id": pl.Utf8, "close_date": pl.Date}, orient="row"),
            )
        )
    return totals, scenarios
