"""Forecasts (SPEC §7): bookings, attainment and payout forecasts with their backtest.

Pure modules (calendar, extract, conversion, pipeline, timeseries, model,
backtest, attainment, simulation, scenarios, plot, files) and the Dagster
wiring in :mod:`assets.forecasts.assets`. See docs/forecasts.md.
"""
