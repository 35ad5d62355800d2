"""Shared test set-up: the dbt manifest must exist before the Dagster definitions import."""

from __future__ import annotations

import functools
import os
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


@functools.lru_cache(maxsize=None)
def _group_of(module_path: str) -> str:
    """The unit of work of a test module (its path, as in a test id) given to one worker:
    the module (its module fixtures are built once, its tests run in their order), or
    ``DEMO_GROUP`` for the modules that use the session's demo run."""
    source = (Path(__file__).resolve().parent.parent / module_path).read_text(encoding="utf-8")
    return DEMO_GROUP if DEMO_GROUP in source else module_path


def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile``, with the demo run's modules as one unit. (xdist's own
    ``loadgroup`` marks do not group anything under pytest 9: xdist renames test ids
    through an attribute pytest no longer reads.)"""
    from xdist.scheduler import LoadScopeScheduling

    class ModuleScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _group_of(nodeid.split("::", 1)[0])

    return ModuleScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    """The units are handed to the workers in the order of the items (``make test`` runs
    with ``--no-loadscope-reorder``): the demo group first, then the modules with a
    slow test, so the quick ones fill in at the end instead of one worker finishing a
    long module alone."""
    def module_path(item) -> str:
        return item.nodeid.split("::", 1)[0]

    slow = {module_path(item) for item in items if item.get_closest_marker("slow")}

    def rank(item) -> int:
        path = module_path(item)
        return 0 if _group_of(path) == DEMO_GROUP else 1 if path in slow else 2

    items.sort(key=rank)
