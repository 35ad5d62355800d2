"""The one dbt project of the pipeline: its manifest, its CLI resource and how its nodes become Dagster assets.

dbt is invoked one way: through the ``DbtCliResource`` of ``dbt_resource()``
(the venv's dbt, bound to the life of the process that starts it:
core/dbt_child.py) on the project ``DBT_PROJECT``. The engine's build is the
compensation domain's asset (assets/compensation/assets.py, with its context,
so every model is an asset); every other command (parse, docs, the ledger
refresh at publication, a forecast scenario's engine run) goes through
``run_dbt``.
"""
# No ``from __future__ import annotations``: Dagster inspects the annotations at runtime.

import os
import threading
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject

from core import dbt_child
from core.settings import DBT_PROJECT_DIR, Settings, SpmPaths

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

# The layer a model's folder names (models/<layer>/<domain>/...).
LAYERS = ("staging", "intermediate", "marts")
# Staging is the ingest domain's (it stages what ingest lands), but for the
# sources other domains write: the payout ledger is the payouts domain's.
STAGING_DOMAINS = {"ledger": "payouts"}


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
    if dbt_resource_props.get("resource_type") == "source":
        return STAGING_DOMAINS.get(dbt_resource_props.get("source_name", ""), "ingest")
    if len(fqn) > 2 and fqn[1] == "staging":
        return STAGING_DOMAINS.get(fqn[2], "ingest")
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


@contextmanager
def _environment(overrides: Mapping[str, str]):
    """``os.environ`` with ``overrides`` for the block (the resource passes it to dbt), restored after."""
    saved = {name: os.environ.get(name) for name in overrides}
    os.environ.update(overrides)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


_ENVIRONMENT_LOCK = threading.Lock()


class DbtCommandFailed(RuntimeError):
    """A dbt command that did not succeed; the message ends with dbt's own error lines."""


def run_dbt(
    args: list[str],
    dbt: DbtCliResource | None = None,
    target_path: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> None:
    """Run one dbt command through the resource (``dbt``, else ``dbt_resource()``) and wait.

    ``target_path``: where dbt writes its artifacts and logs (default: a fresh
    folder under the project's target); ``env``: settings for this command only
    (a scenario's scratch warehouse). Raises ``DbtCommandFailed`` naming the
    command, with dbt's error messages.
    """
    resource = dbt or dbt_resource()
    # The resource hands dbt this process's environment, copied when it starts
    # the dbt process (inside cli()). Commands may run from several threads (the
    # payout forecast's scenarios), so setting the environment, starting dbt and
    # restoring it is one step under a lock; the command then runs unlocked.
    with _ENVIRONMENT_LOCK, _environment({**dbt_child.parent_env(), **(env or {})}):
        invocation = resource.cli(args, raise_on_error=False, target_path=target_path)
    errors = [
        event.raw_event["info"].get("msg", "")
        for event in invocation.stream_raw_events()
        if isinstance(event.raw_event, dict) and event.raw_event.get("info", {}).get("level") == "error"
    ]
    error = invocation.get_error()
    if error is not None:
        detail = "\n".join(errors) or str(error)
        raise DbtCommandFailed(f"dbt {' '.join(args)} failed:\n" + "\n".join(detail.splitlines()[-30:]))
