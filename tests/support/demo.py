"""The folders and the environment of one demo run under a temporary root (the session's
``demo_pipeline`` in tests/conftest.py, and the modules that run their own)."""

from __future__ import annotations

import os

# run_pipeline's ``leave_out`` for a test that reads no forecast: the forecasts and, downstream,
# the BI snapshot (``LEFT_OUT``). The payout forecast reruns the engine per scenario, about a
# third of a small company's run. The end-to-end and determinism modules, and the session's
# demo run, run the whole graph.
WITHOUT_FORECASTS = ("bookings_forecast", "payout_forecast")
LEFT_OUT = {*WITHOUT_FORECASTS, "bi_snapshot"}


def paths_under(root):
    """Every SPM_* folder of a run under one temporary ``root``."""
    from core.settings import SpmPaths

    return SpmPaths(
        landing_dir=root / "landing",
        config_dir=root / "config",
        warehouse=root / "warehouse" / "spm.duckdb",
        raw_dir=root / "warehouse" / "raw",
        export_dir=root / "exports",
    )


class demo_environment:
    """The demo run's SPM_* settings and DAGSTER_HOME in os.environ, restored on exit."""

    def __init__(self, paths, root):
        self.env = {**paths.as_env(), "DAGSTER_HOME": str(root / "dagster_home")}

    def __enter__(self):
        self.saved = dict(os.environ)
        os.environ.update(self.env)
        return self

    def __exit__(self, *exc):
        os.environ.clear()
        os.environ.update(self.saved)
        return False

