"""Tests of the dbt engine: crediting, quota, earnings, plan options and rounding in the warehouse."""
