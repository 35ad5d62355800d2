"""Tests of core/: settings, pay periods."""
