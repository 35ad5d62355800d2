"""The dbt project as Dagster assets: every model an asset, every dbt test an asset check."""
# No ``from __future__ import annotations``: Dagster inspects the annotations at runtime.


import os
import sys
from pathlib import Path
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.resources import SpmPathsResource
from orchestration.settings import DBT_PROJECT_DIR

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_build_args(select: str | None = None) -> list[str]:
    """The dbt command line the pipeline runs: build (models, then their tests) in DAG order."""
    args = ["build"]
    if select:
        args += ["--select", select]
    return args


class SpmDbtTranslator(DagsterDbtTranslator):
    """Models keep their own names as asset keys; groups follow the project's folders."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props.get("resource_type") == "source":
            return "ingest"
        fqn = dbt_resource_props.get("fqn", [])
        layer = fqn[1] if len(fqn) > 2 else "warehouse"
        return {"staging": "staging", "intermediate": "intermediate", "marts": "marts"}.get(layer, "warehouse")


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=SpmDbtTranslator(),
    pool="duckdb_warehouse",
)
def spm_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, paths: SpmPathsResource):
    # dbt reads the raw layer and the warehouse path from the environment
    # (profiles.yml and the source definitions); the subprocess inherits it.
    settings = paths.paths()
    os.environ.update(settings.as_env())
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)  # dbt-duckdb does not create it
    yield from dbt.cli(dbt_build_args(), context=context).stream()


def dbt_resource() -> DbtCliResource:
    # The dbt installed beside this Python (the project's venv), whatever is on PATH.
    return DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=str(Path(sys.executable).parent / "dbt"))
