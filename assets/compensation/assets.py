"""The compensation engine: every dbt model an asset, every dbt test an asset check.

One ``dbt build`` of the whole project (staging -> intermediate -> marts, tests
after their models) in DAG order, on the warehouse's one writer slot (pool
``duckdb_warehouse``). Its assets carry their domain's group
(core/dbt.py ``SpmDbtTranslator``).
"""
# No ``from __future__ import annotations``: Dagster inspects the annotations at runtime.

import os
from collections.abc import Mapping
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource, dbt_assets, get_asset_key_for_model
from pydantic import Field

from core.dbt import (
    DBT_PROJECT,
    SpmDbtTranslator,
    prepare_dbt_environment,
    share_project_parse,
    unique_target_path,
)
from core.metadata import relation_metadata
from core.resources import SpmPathsResource
from core.warehouse import is_built, read_only


class EngineBuildConfig(dg.Config):
    """How the engine builds (run config of ``spm_dbt_models``)."""

    full_refresh: bool = Field(
        default=False,
        description="Rebuild every model from nothing (dbt --full-refresh) instead of recomputing only the "
        "deals the new landing loads reach (docs/incremental.md).",
    )


# dbt's unit tests check the SQL of a model on fixed, hand-written inputs: the same
# result on every run of one engine version, so they run in the test suite
# (tests/compensation/test_dbt_build.py builds with every one of them) and not
# in each pipeline run, as dbt's documentation recommends. Data tests do run.
PIPELINE_EXCLUDES = ["--exclude-resource-type", "unit_test"]


def dbt_build_args(full_refresh: bool = False) -> list[str]:
    """The dbt command line the pipeline runs: build (models, then their data tests) in DAG order,
    without the unit tests (``PIPELINE_EXCLUDES``); incremental by deal unless ``full_refresh``
    (docs/incremental.md)."""
    return ["build", *(["--full-refresh"] if full_refresh else []), *PIPELINE_EXCLUDES]


@dbt_assets(
    manifest=DBT_PROJECT.manifest_path,
    project=DBT_PROJECT,
    dagster_dbt_translator=SpmDbtTranslator(),
    pool="duckdb_warehouse",
)
def spm_dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, paths: SpmPathsResource, config: EngineBuildConfig
):
    settings = paths.paths()
    prepare_dbt_environment(settings)
    target_path = unique_target_path(dbt, context)
    share_project_parse(target_path, os.environ)  # the project's parse, on this run's folders
    invocation = dbt.cli(dbt_build_args(config.full_refresh), context=context, raise_on_error=False,
                         target_path=target_path)
    # dbt holds the warehouse's write lock until it exits, so the events of the
    # models described with row counts, totals and previews (read afterwards,
    # read-only), and of their checks, are kept until then; the views' and their
    # checks' events are written as dbt goes (Dagster's event log work on the
    # other core while dbt runs). Progress is logged as each node finishes.
    described = described_models(invocation.manifest)
    held_keys = {key for name, key in context.assets_def.keys_by_output_name.items() if name in described}
    expected = len(context.selected_output_names)  # models and their checks (both are op outputs)
    events, done, next_report = [], 0, 0
    for event in invocation.stream():
        if (isinstance(event, dg.Output) and event.output_name not in described) or (
            isinstance(event, dg.AssetCheckResult) and event.asset_key not in held_keys
        ):
            yield event
        else:
            events.append(event)
        if not isinstance(event, (dg.Output, dg.AssetCheckResult)):
            continue
        done += 1
        failed = isinstance(event, dg.AssetCheckResult) and not event.passed
        if failed or done >= next_report or done == expected:  # about every tenth, and every failure
            log = context.log.warning if failed else context.log.info
            log(f"dbt build: {done}/{expected} models and tests done; latest: {_event_label(event)}")
            next_report = done + max(1, expected // 10)
    yield from with_warehouse_metadata(events, settings.warehouse, invocation.manifest)
    error = invocation.get_error()
    if error is not None:
        raise error


def _event_label(event) -> str:
    if isinstance(event, dg.AssetCheckResult):
        status = "passed" if event.passed else "FAILED"
        return f"test {event.check_name} on {event.asset_key.to_user_string()} {status}"
    key = getattr(event, "output_name", None) or getattr(event, "asset_key", "")
    return f"model {key}"


def with_warehouse_metadata(events: list, warehouse: Path, manifest: Mapping[str, Any]):
    """Each materialized model's event, with ``relation_metadata`` of its table.

    Staging and intermediate views get nothing: even a five-row preview
    recomputes a staging view's de-duplication over the whole raw layer (minutes
    at scale 50). A mart view (a twin mart: ``select *`` of one intermediate
    table) is described like a table: reading it is reading that table.
    """
    described = described_models(manifest)
    reader = read_only(warehouse) if is_built(warehouse) else nullcontext()
    with reader as con:
        for event in events:
            name = getattr(event, "output_name", None)
            if con is not None and isinstance(event, dg.Output) and name in described:
                try:
                    extra = relation_metadata(con, name)
                except duckdb.Error as error:  # a model that failed to build has no relation
                    extra = {"metadata_error": dg.MetadataValue.text(str(error))}
                event = event.with_metadata({**event.metadata, **extra})
            yield event


MART_PREFIXES = ("fct_", "dim_")


def described_models(manifest: Mapping[str, Any]) -> set[str]:
    """The models whose materialization carries ``relation_metadata``: tables, incremental
    tables and mart views (``with_warehouse_metadata``)."""
    return {
        node["name"]
        for node in manifest.get("nodes", {}).values()
        if node.get("resource_type") == "model" and (
            node.get("config", {}).get("materialized") in ("table", "incremental")
            or (node.get("config", {}).get("materialized") == "view" and node["name"].startswith(MART_PREFIXES))
        )
    }


def mart_keys(*models: str) -> list[dg.AssetKey]:
    """The asset keys of the engine's marts ``models``, as the dbt project names them.

    The seam between the engine and the Python domains: Python reads marts only
    (enforced contracts, dbt_project/README.md), so a staging or intermediate
    model here is a programming error, as is a model the project lacks.
    """
    for model in models:
        if not model.startswith(MART_PREFIXES):
            raise ValueError(f"{model} is not a mart: Python reads only fct_/dim_ models")
    return [get_asset_key_for_model([spm_dbt_models], model) for model in models]
