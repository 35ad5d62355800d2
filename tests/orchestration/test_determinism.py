"""Determinism end to end: two runs from scratch on the same landing data write the same bytes.

A run is a pure function of the landing data and the configuration
(docs/architecture.md#determinism). The first run is the session's demo run
(tests/conftest.py ``demo_pipeline``: the demo company at ``DEMO_SCALE``); the
second gets a copy of its landing and configuration files and everything else
fresh: warehouse, raw layer, exports and DAGSTER_HOME. Every file under the two
export folders is then compared byte for byte: payout extract (CSV, Parquet,
manifest), payroll files, journals, statements (HTML and PDF), forecasts and the
BI snapshot's Parquet files.

The second run lives under another folder than the first: no output embeds an
absolute path (the calculation id hashes paths relative to the landing and
config folders), so the comparison also shows the outputs do not depend on
where the folders are. The other modules sharing the session run only read its
exports or rewrite them with the same bytes (which they check), so the order in
which pytest runs the modules does not matter. Cost: one pipeline run on top of
the shared session run.
"""

from __future__ import annotations

import fnmatch
import shutil

import pytest

from bench.digests import differences, export_digests
from core.fingerprint import inputs_fingerprint
from orchestration.cli import run_pipeline
from tests.support.demo import demo_environment, paths_under

pytestmark = pytest.mark.slow  # reads the session's demo run and runs the pipeline again

# What the comparison must cover, so that it cannot pass on a run that wrote nothing.
EXPECTED = [
    "payouts/*/payout_*.csv",
    "payouts/*/payout_*.parquet",
    "payouts/*/manifest.json",
    "payouts/*/payroll_*.csv",
    "payouts/*/adp_*.csv",
    "payouts/*/workday_*.csv",
    "payouts/*/payroll_manifest.json",
    "journals/*/journal_*.csv",
    "statements/*/*.html",
    "statements/*/*.pdf",
    "bi/snapshots/*/*.parquet",
    "bi/current",
]


def test_two_runs_from_scratch_on_the_same_landing_data_write_the_same_bytes(demo_pipeline, tmp_path):
    first_paths, first_result, _ = demo_pipeline
    assert first_result.success
    first = export_digests(first_paths.export_dir)
    missing = [pattern for pattern in EXPECTED if not fnmatch.filter(first, pattern)]
    assert not missing, f"the first run wrote no file matching {missing}"

    root = tmp_path / "second_run"
    paths = paths_under(root)
    shutil.copytree(first_paths.landing_dir, paths.landing_dir)
    shutil.copytree(first_paths.config_dir, paths.config_dir)
    assert inputs_fingerprint(paths.landing_dir, paths.config_dir) == inputs_fingerprint(
        first_paths.landing_dir, first_paths.config_dir)
    assert not paths.warehouse.parent.exists() and not paths.export_dir.exists()
    with demo_environment(paths, root):
        second_result = run_pipeline(paths)
    assert second_result.success

    diff = differences(first, export_digests(paths.export_dir), ("run 1", "run 2"))
    assert not diff, (
        f"{len(diff)} export file(s) are not the same bytes in two runs from scratch "
        f"(run 1: {first_paths.export_dir}, run 2: {paths.export_dir}):\n" + "\n".join(diff)
    )
