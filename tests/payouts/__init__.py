"""Tests of assets/payouts/: the payout extract, the ledger, publishing and payroll files."""
