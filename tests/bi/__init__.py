"""Tests of assets/bi/: the BI snapshot."""
