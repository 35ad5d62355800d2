"""Tests of expectations/: the Great Expectations suites generated from the landing contract."""
