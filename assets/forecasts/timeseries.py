"""Time-series models of monthly bookings, and the seasonal-naive baseline.

Series are modelled per calendar day (bookings / days in the month), then
scaled back by the target month's days, so February's short month is not
mistaken for a slump.

* ``SEASON_MONTHS`` (24) or more months: additive Holt-Winters (statsmodels
  ExponentialSmoothing, no trend, additive seasonality of period 12), for the
  company and team series;
* otherwise, and for every payee series: simple exponential smoothing, its
  smoothing constant chosen per series on a fixed grid by the one-step squared
  error (vectorised numpy: hundreds of payees fit in milliseconds).

The seasonal-naive baseline forecasts month m with the actual of m - 12 (the
last observed month when the series is shorter).
"""

from __future__ import annotations

import warnings

import numpy as np

from assets.forecasts.calendar import days_in_month

SEASON = 12
SEASON_MONTHS = 2 * SEASON
ALPHAS = np.round(np.arange(0.05, 0.951, 0.05), 2)


def per_day(values: np.ndarray, first_month: int) -> np.ndarray:
    days = np.array([days_in_month(first_month + i) for i in range(values.shape[-1])], dtype=float)
    return values / days


def ses_many(rates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simple exponential smoothing of each row: (final level, alpha, one-step residual sd)."""
    k, n = rates.shape
    if n == 0:
        zeros = np.zeros(k)
        return zeros, zeros, zeros
    init = rates[:, : min(3, n)].mean(axis=1)
    best_sse = np.full(k, np.inf)
    best_level = init.copy()
    best_alpha = np.full(k, ALPHAS[0])
    for alpha in ALPHAS:
        level = init.copy()
        sse = np.zeros(k)
        for t in range(n):
            error = rates[:, t] - level
            sse += error**2
            level = level + alpha * error
        better = sse < best_sse
        best_sse = np.where(better, sse, best_sse)
        best_level = np.where(better, level, best_level)
        best_alpha = np.where(better, alpha, best_alpha)
    sigma = np.sqrt(best_sse / max(n, 1))
    return best_level, best_alpha, sigma


def holt_winters(rates: np.ndarray, horizon: int) -> tuple[np.ndarray, float]:
    """Additive-seasonal exponential smoothing (statsmodels); forecast and residual sd."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ExponentialSmoothing(
            rates, trend=None, seasonal="add", seasonal_periods=SEASON, initialization_method="estimated"
        ).fit(optimized=True)
    residuals = rates - model.fittedvalues
    return np.asarray(model.forecast(horizon)), float(np.sqrt(np.mean(residuals**2)))


def forecast_many(
    values: np.ndarray, first_month: int, horizon: int, seasonal: bool
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Forecast ``horizon`` months after the series (rows of ``values``, first column = ``first_month``).

    Returns (forecast (k, horizon), standard deviation (k, horizon), model name per row).
    """
    k, n = values.shape
    rates = per_day(values, first_month)
    target_days = np.array([days_in_month(first_month + n + h) for h in range(horizon)], dtype=float)
    level, alpha, sigma = ses_many(rates)
    mean = np.repeat(level[:, None], horizon, axis=1)
    steps = np.arange(horizon)[None, :]
    sd = sigma[:, None] * np.sqrt(1 + steps * alpha[:, None] ** 2)
    models = ["simple_exponential_smoothing"] * k
    if seasonal and n >= SEASON_MONTHS:
        for i in range(k):
            hw_mean, hw_sigma = holt_winters(rates[i], horizon)
            mean[i] = hw_mean
            sd[i] = hw_sigma * np.sqrt(1 + steps[0] / SEASON)
            models[i] = "holt_winters_additive_12"
    return mean * target_days, sd * target_days, models


def seasonal_naive(values: np.ndarray, target_offsets: np.ndarray) -> np.ndarray:
    """Baseline for the months ``n + offset`` after a series of n months: the value 12 months earlier."""
    k, n = values.shape
    out = np.empty((k, len(target_offsets)))
    for j, offset in enumerate(target_offsets):
        source = n + int(offset) - SEASON
        out[:, j] = values[:, source] if 0 <= source < n else values[:, n - 1]
    return out


def wape(actual: np.ndarray, forecast: np.ndarray) -> float | None:
    """Weighted absolute percentage error: Σ|actual - forecast| / Σ|actual| (None without actuals)."""
    denominator = float(np.abs(actual).sum())
    return float(np.abs(actual - forecast).sum()) / denominator if denominator else None
