"""The forecasts domain: bookings and attainment forecasts, and payout scenarios through the engine."""

import dagster as dg

from assets.forecasts.assets import bookings_forecast, payout_forecast
from assets.forecasts.checks import bookings_forecast_quantiles_in_order, payout_forecast_scenarios_in_order

defs = dg.Definitions(
    assets=[bookings_forecast, payout_forecast],
    asset_checks=[bookings_forecast_quantiles_in_order, payout_forecast_scenarios_in_order],
)
