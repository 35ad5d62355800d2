"""The one dbt project of the pipeline: its manifest, its CLI resource and how its nodes become Dagster assets.

Every caller of dbt goes through ``dbt_resource()`` (the venv's dbt, bound to
the life of the process that starts it: core/dbt_child.py) and the project
``DBT_PROJECT``. The models themselves are the compensation domain's asset
(assets/compensation/assets.py).
"""
# No ``from __future__ import annotations``: Dagster inspects the annotations at runtime.

from collections.abc import Mapping
from typing import Any

from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject

import os

from core import dbt_child
from core.settings import DBT_PROJECT_DIR, Settings, SpmPaths

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

# The layer a model's folder names (models/<layer>/<domain>/...); staging is the ingest domain's.
LAYERS = ("staging", "intermediate", "marts")


class SpmDbtTranslator(DagsterDbtTranslator):
    """Models keep their own names as asset keys; the group is the model's domain.

    The domain is the folder under the layer (``models/marts/payouts/...`` is
    ``payouts``); staging models and sources are the ``ingest`` domain's, as
    the Python assets that land the raw layer.
    """

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return domain_of(dbt_resource_props)


def domain_of(dbt_resource_props: Mapping[str, Any]) -> str:
    """The domain of a dbt node from its fqn (project, layer, domain, ..., name)."""
    fqn = dbt_resource_props.get("fqn", [])
    if dbt_resource_props.get("resource_type") == "source" or (len(fqn) > 1 and fqn[1] == "staging"):
        return "ingest"
    if len(fqn) > 3 and fqn[1] in LAYERS:
        return fqn[2]
    return "compensation"


def dbt_resource() -> DbtCliResource:
    # The venv's dbt, bound to the life of the process that starts it (core/dbt_child.py).
    return DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=str(dbt_child.EXECUTABLE))


def prepare_dbt_environment(paths: SpmPaths) -> None:
    """Hand dbt its settings before the resource starts it: the resource passes this
    process's environment on (profiles.yml, the sources and macros read SPM_* from
    it), with the variable that binds the dbt child to this process's life."""
    os.environ.update(Settings.from_env(paths).dbt_env())
    os.environ.update(dbt_child.parent_env())  # the dbt child dies with this process
    paths.warehouse.parent.mkdir(parents=True, exist_ok=True)  # dbt-duckdb does not create it
