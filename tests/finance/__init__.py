"""Tests of assets/finance/: the finance journals."""
