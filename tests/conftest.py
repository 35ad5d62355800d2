"""Shared test set-up: the dbt manifest must exist before the Dagster definitions import."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

from core.settings import DBT_PROJECT_DIR

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
# Retries keep their count in tests, with a shorter backoff (read when the definitions load).
os.environ.setdefault("SPM_RETRY_DELAY_SECONDS", "1")

if not (DBT_PROJECT_DIR / "target" / "manifest.json").exists():
    from orchestration.cli import prepare_dbt

    prepare_dbt()


# --- one demo company through the whole daily job, shared by the read-only end-to-end modules ---

import pytest  # noqa: E402

from tests.support.demo import demo_environment, paths_under  # noqa: E402

DEMO_SCALE = 0.05


@pytest.fixture(scope="session")
def demo_pipeline(tmp_path_factory):
    """(paths, result, root): the demo company at scale 0.05 generated and run through
    ``spm_pipeline`` once per session. Modules that only read its outputs (or rerun an
    asset that must give the same bytes) share it through ``demo_environment``;
    modules that change the landing data run their own."""
    from demo.generate import generate
    from orchestration.cli import run_pipeline

    root = tmp_path_factory.mktemp("demo_e2e")
    paths = paths_under(root)
    with demo_environment(paths, root):
        generate(root, landing_dir=paths.landing_dir, config_dir=paths.config_dir, scale=DEMO_SCALE)
        result = run_pipeline(paths)
    return paths, result, root


# --- parallel workers (pytest-xdist, `make test`): whole modules per worker, slow ones first ---

# Modules that share the session's demo run go to one worker together: it is built once.
DEMO_GROUP = "demo_pipeline"


# Modules reading one fixture company built once per session (tests/support/warehouse.py
# ``shared_warehouse``; the planning company through ``planning_warehouse``) go to one worker
# together too: the other worker would otherwise wait on the build's file lock.
SHARED_COMPANY = re.compile(r"shared_warehouse\(tmp_path_factory, (\w+)\)|(planning_warehouse)\(tmp_path_factory\)")


@functools.lru_cache(maxsize=None)
def _group_of(module_path: str) -> str:
    """The unit of work of a test module (its path, as in a test id) given to one worker:
    the module (its module fixtures are built once, its tests run in their order),
    ``DEMO_GROUP`` for the modules that use the session's demo run, or ``shared:<company>``
    for the modules reading one shared fixture company."""
    source = (Path(__file__).resolve().parent.parent / module_path).read_text(encoding="utf-8")
    if DEMO_GROUP in source:
        return DEMO_GROUP
    shared = SHARED_COMPANY.search(source)
    return f"shared:{shared.group(1) or shared.group(2)}" if shared else module_path


def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile``, with the demo run's modules as one unit. (xdist's own
    ``loadgroup`` marks do not group anything under pytest 9: xdist renames test ids
    through an attribute pytest no longer reads.)"""
    from xdist.scheduler import LoadScopeScheduling

    class ModuleScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _group_of(nodeid.split("::", 1)[0])

    return ModuleScheduling(config, log)


# The longest modules of the suite after the demo group (CI's `--durations`, 2026-12: the Spark
# parity build ~400 s, crash safety ~600 s in all, the ledger scenarios ~250-350 s, the
# incremental scope ~200 s, end to end ~250 s, re-execution ~110 s), longest first: with two
# workers a long module handed out last would end alone. Only the order depends on it.
LONGEST_FIRST = (
    "tests/orchestration/test_crash_safety.py",
    "tests/compensation/test_spark_parity.py",
    "tests/payouts/test_ledger_never_negative.py",
    "tests/orchestration/test_end_to_end.py",
    "tests/payouts/test_ledger_scenario.py",
    "tests/compensation/test_incremental_scope.py",
    "tests/orchestration/test_reexecution.py",
)


def pytest_collection_modifyitems(config, items):
    """The units are handed to the workers in the order of the items (``make test`` runs
    with ``--no-loadscope-reorder``): the demo group first, then ``LONGEST_FIRST``, then
    the other modules with a slow test, so the quick ones fill in at the end instead of
    one worker finishing a long module alone."""
    def module_path(item) -> str:
        return item.nodeid.split("::", 1)[0]

    slow = {module_path(item) for item in items if item.get_closest_marker("slow")}

    def rank(item) -> int:
        path = module_path(item)
        if _group_of(path) == DEMO_GROUP:
            return 0
        if path in LONGEST_FIRST:
            return 1 + LONGEST_FIRST.index(path)
        return 1 + len(LONGEST_FIRST) + (0 if path in slow else 1)

    items.sort(key=rank)
