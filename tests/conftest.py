"""Shared test set-up: the dbt manifest must exist before the Dagster definitions import."""

from __future__ import annotations

import os

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
