"""Shared test set-up: the dbt manifest must exist before the Dagster definitions import."""

from __future__ import annotations

import os

from orchestration.settings import DBT_PROJECT_DIR

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
# Retries keep their count in tests, with a shorter backoff (read when the definitions load).
os.environ.setdefault("SPM_RETRY_DELAY_SECONDS", "1")

if not (DBT_PROJECT_DIR / "target" / "manifest.json").exists():
    from orchestration.cli import prepare_dbt

    prepare_dbt()
