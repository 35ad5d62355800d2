"""Tests of the insight marts and the contracts BI relies on."""
