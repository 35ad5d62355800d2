"""Tests of assets/forecasts/: bookings, attainment and payout forecasts."""
