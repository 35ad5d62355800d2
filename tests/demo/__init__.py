"""Tests of demo/: the demo company generator."""
