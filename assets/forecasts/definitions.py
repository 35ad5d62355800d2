"""The forecasts domain: bookings and attainment forecasts, and payout scenarios through the engine."""

import dagster as dg

from assets.forecasts.assets import bookings_forecast, payout_forecast

defs = dg.Definitions(assets=[bookings_forecast, payout_forecast])
