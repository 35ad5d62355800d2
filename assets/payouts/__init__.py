"""Payout extracts for finance."""
