"""A failed run retries with backoff, then re-executes from failure without redoing (or duplicating) work.

The export folder is made unusable (a file where the payouts folder goes), so
the payout extract fails after ingest and dbt have succeeded. The job's retry
policy tries the step three times in all; then the folder is fixed and the run
is re-executed from failure, as a data engineer would from the UI: only the
failed step runs again, the raw layer is untouched, and the payout file appears.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import pytest

from core.settings import SpmPaths
from demo.generate import generate
from orchestration.cli import ensure_dagster_home

pytestmark = pytest.mark.slow  # runs the pipeline job

SCALE = 0.05
FAILING_STEP = "payout_extract"


def spm_pipeline_job():
    """Module-level, so Dagster can reconstruct the job for a re-execution."""
    from orchestration.definitions import PIPELINE_JOB_NAME, defs

    return defs.resolve_job_def(PIPELINE_JOB_NAME)


IN_PROCESS = {"execution": {"config": {"in_process": {}}}}


def _raw_files(raw_dir: Path) -> dict[str, int]:
    return {str(p.relative_to(raw_dir)): p.stat().st_mtime_ns for p in sorted(raw_dir.rglob("*.parquet"))}


def _steps(instance: dg.DagsterInstance, run_id: str, event_type: dg.DagsterEventType) -> list[str]:
    records = instance.get_records_for_run(run_id, of_type=event_type).records
    return [record.event_log_entry.dagster_event.step_key for record in records]


@pytest.fixture()
def environment(tmp_path):
    paths = SpmPaths(
        landing_dir=tmp_path / "landing",
        config_dir=tmp_path / "config",
        warehouse=tmp_path / "warehouse" / "spm.duckdb",
        raw_dir=tmp_path / "warehouse" / "raw",
        export_dir=tmp_path / "exports",
    )
    saved = dict(os.environ)
    os.environ.update(paths.as_env())
    os.environ["DAGSTER_HOME"] = str(tmp_path / "dagster_home")
    try:
        generate(tmp_path, landing_dir=paths.landing_dir, config_dir=paths.config_dir, scale=SCALE)
        yield paths
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_failed_step_is_retried_then_reexecuted_from_failure_alone(environment):
    paths = environment
    ensure_dagster_home()
    paths.export_dir.mkdir(parents=True)
    blocker = paths.export_dir / "payouts"
    blocker.write_text("not a folder")

    job = dg.reconstructable(spm_pipeline_job)
    with dg.DagsterInstance.get() as instance:
        with dg.execute_job(job, instance=instance, run_config=IN_PROCESS) as first:
            assert not first.success
            failed_run_id = first.run_id
        assert _steps(instance, failed_run_id, dg.DagsterEventType.STEP_UP_FOR_RETRY) == [FAILING_STEP] * 2
        assert _steps(instance, failed_run_id, dg.DagsterEventType.STEP_FAILURE) == [FAILING_STEP]
        succeeded = set(_steps(instance, failed_run_id, dg.DagsterEventType.STEP_SUCCESS))
        assert "spm_dbt_models" in succeeded
        raw_before = _raw_files(paths.raw_dir)
        assert raw_before

        blocker.unlink()
        options = dg.ReexecutionOptions.from_failure(failed_run_id, instance)
        with dg.execute_job(job, instance=instance, run_config=IN_PROCESS, reexecution_options=options) as second:
            assert second.success
            rerun = set(_steps(instance, second.run_id, dg.DagsterEventType.STEP_START))
        assert FAILING_STEP in rerun
        assert not rerun & succeeded, "steps that had succeeded ran again"
        assert _raw_files(paths.raw_dir) == raw_before  # nothing ingested twice
        assert list((paths.export_dir / "payouts").glob("*/manifest.json"))
