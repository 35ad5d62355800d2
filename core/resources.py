"""Dagster resources: the environment, as seen by assets."""

from __future__ import annotations

import os

import dagster as dg

from core.settings import Settings, SpmPaths


class SpmPathsResource(dg.ConfigurableResource):
    """Folders and files the pipeline uses (see :mod:`core.settings`).

    Fields left empty fall back to the environment variables, read when the
    resource is used, so a test that sets ``SPM_*`` needs no resource config.
    """

    landing_dir: str | None = None
    config_dir: str | None = None
    warehouse: str | None = None
    raw_dir: str | None = None
    export_dir: str | None = None

    def paths(self) -> SpmPaths:
        from pathlib import Path

        env = SpmPaths.from_env()
        return SpmPaths(
            landing_dir=Path(self.landing_dir) if self.landing_dir else env.landing_dir,
            config_dir=Path(self.config_dir) if self.config_dir else env.config_dir,
            warehouse=Path(self.warehouse) if self.warehouse else env.warehouse,
            raw_dir=Path(self.raw_dir) if self.raw_dir else env.raw_dir,
            export_dir=Path(self.export_dir) if self.export_dir else env.export_dir,
        )


def retry_policy() -> dg.RetryPolicy:
    """Retries of a failed step: SPM_RETRY_MAX (2) more tries, exponential backoff from
    SPM_RETRY_DELAY_SECONDS (15 s); read when the definitions load. A user error
    (core.failures.user_error: bad input, bad configuration, a refused check)
    skips it and fails at once: a retry would give the same error."""
    settings = Settings.from_env()
    return dg.RetryPolicy(max_retries=settings.retry_max, delay=settings.retry_delay_seconds, backoff=dg.Backoff.EXPONENTIAL)


def steps_at_once(settings: Settings | None = None) -> int:
    """How many steps of a run may execute at once: SPM_PARALLEL_STEPS, the CPU cores for 0."""
    return (settings or Settings.from_env()).parallel_steps or os.cpu_count() or 1


def parallel_executor() -> dg.ExecutorDefinition:
    """The executor of the runs launched from the UI, a schedule or a sensor: Dagster's
    multiprocess executor, one process per step, at most ``steps_at_once()``
    (SPM_PARALLEL_STEPS) at a time; read when the definitions load. Steps that open the
    warehouse also wait for the one slot of the ``duckdb_warehouse`` pool, so two of them
    never run at once however many processes are allowed (docs/scale_out.md). A run
    executed in process (the CLI, the tests) runs its steps one by one; as with Dagster's
    default executor, run config may still choose ``execution: {config: {in_process: {}}}``
    or give ``multiprocess`` settings of its own."""
    steps = steps_at_once()
    # forkserver: the code location is imported once per run, and each step process is a fork
    # of it, instead of a new interpreter importing Dagster, dbt's manifest and GX (5-7 s a step)
    start = {"forkserver": {"preload_modules": ["orchestration.definitions"]}}

    def config(chosen: dict) -> dict:
        if "in_process" in chosen:
            return {"in_process": chosen["in_process"]}
        return {"multiprocess": {"max_concurrent": steps, "start_method": start, **chosen.get("multiprocess", {})}}

    return dg.multi_or_in_process_executor.configured(
        config,
        config_schema={
            "in_process": dg.Field(dg.Permissive(), is_required=False),
            "multiprocess": dg.Field(dg.Permissive(), is_required=False),
        },
        name="spm_multiprocess",
    )


class CodeLocationResource(dg.ConfigurableResource):
    """The code location's asset graph, for an asset that reasons about what is upstream of it.

    The publication refuses to publish when a blocking check upstream of it
    failed; a run executed in process (the CLI, tests) has no repository on its
    context and its job's graph holds only its own assets. The code location
    (orchestration/definitions.py) binds a subclass that answers from the
    merged definitions, so no domain imports the root.
    """

    def asset_graph(self):
        raise NotImplementedError("bound by the code location: orchestration.definitions.SpmCodeLocation")
