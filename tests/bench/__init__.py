"""Tests of bench/: the benchmark and its floors."""
