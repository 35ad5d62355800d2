"""The bookings forecast's per-period work in parallel steps (docs/scale_out.md), on the session's
demo run: the multiprocess executor runs its period groups at once, in separate processes, and
the files are byte for byte those of the sequential run; the parallel steps never open the
warehouse, so they may run while dbt writes it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.forecasts.assets import BOOKINGS_FORECAST
from assets.forecasts.fanout import read_snapshot, write_snapshot
from assets.forecasts.runner import FORECAST_DIR, bookings_forecast_run, period_tasks, run_period_task, \
    write_bookings_forecast
from core.runs import scratch_root
from core.settings import REPO_ROOT, SpmPaths
from core.warehouse import read_only
from tests.support.demo import demo_environment

pytestmark = pytest.mark.slow  # reads the session's demo run

JOB = "bookings_forecast_alone"


def bookings_forecast_job():
    """The bookings forecast alone, on the code location's executor (reconstructed in each step process)."""
    from orchestration.definitions import defs

    job = dg.define_asset_job(JOB, selection=dg.AssetSelection.assets(BOOKINGS_FORECAST))
    return dg.Definitions.merge(defs, dg.Definitions(jobs=[job])).resolve_job_def(JOB)


@pytest.fixture(scope="module")
def pipeline(demo_pipeline):
    paths, result, root = demo_pipeline
    with demo_environment(paths, root):
        yield paths, result, root


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _events(instance, run_id: str, event_type: str, marker: str) -> dict[str, object]:
    """The run's events of a type for the steps whose key holds ``marker``: step key -> log entry
    (``timestamp``; ``dagster_event.pid``: the process that reported it)."""
    return {
        entry.step_key: entry
        for entry in instance.all_logs(run_id, of_type=dg.DagsterEventType(event_type))
        if entry.step_key and marker in entry.step_key
    }


def test_the_periods_run_in_parallel_steps_and_write_the_sequential_bytes(pipeline, tmp_path, monkeypatch):
    paths, _, _ = pipeline
    sequential = tmp_path / "sequential"
    bookings_forecast_run(paths.warehouse, sequential)

    parallel = tmp_path / "parallel"
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(REPO_ROOT / "orchestration" / "dagster.yaml", home / "dagster.yaml")  # the warehouse pool
    monkeypatch.setenv("SPM_EXPORT_DIR", str(parallel))
    monkeypatch.setenv("SPM_PARALLEL_STEPS", "2")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with dg.DagsterInstance.get() as instance:
        with dg.execute_job(dg.reconstructable(bookings_forecast_job), instance=instance) as result:
            assert result.success
            run_id = result.run_id
        launched = _events(instance, run_id, "STEP_WORKER_STARTING", "period_group[")
        started = _events(instance, run_id, "STEP_START", "period_group[")
        done = _events(instance, run_id, "STEP_SUCCESS", "period_group[")
        reader = _events(instance, run_id, "STEP_START", "bookings_forecast_inputs")

    # SPM_PARALLEL_STEPS = 2: two groups of periods, each in a process of its own, both launched
    # by the executor before either had finished
    assert sorted(started) == ["bookings_forecast.bookings_forecast_period_group[group_0]",
                               "bookings_forecast.bookings_forecast_period_group[group_1]"]
    pids = {e.dagster_event.pid for e in [*started.values(), *reader.values()]}
    assert len(pids) == 3
    first_done = min(e.timestamp for e in done.values())
    assert set(launched) == set(started)
    assert all(e.timestamp < first_done for e in launched.values())

    # the same files, byte for byte, as the sequential run in one process
    written = _files(parallel / FORECAST_DIR)
    assert written == _files(sequential / FORECAST_DIR)
    assert "bookings_forecast.parquet" in written and "bookings_backtest.parquet" in written
    assert not (scratch_root(SpmPaths.from_env()) / run_id).exists()  # the snapshot is removed


_WRITER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])  # read-write: DuckDB's write lock on the file
con.execute("create table if not exists held_by_a_writer as select 1 as x")
print("locked", flush=True)
sys.stdin.read()
con.close()
"""


def test_the_parallel_steps_never_open_the_warehouse_so_the_writer_may_hold_it(pipeline, tmp_path):
    """The snapshot is read in the warehouse pool; then a writer (as dbt would) holds the file and
    every period and the files are computed from the snapshot alone."""
    paths, _, _ = pipeline
    warehouse = tmp_path / "warehouse" / "spm.duckdb"
    warehouse.parent.mkdir()
    shutil.copyfile(paths.warehouse, warehouse)
    snapshot = write_snapshot(warehouse, tmp_path / "snapshot")

    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(warehouse)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "locked"
        with pytest.raises(duckdb.IOException):  # a reader now would block the writer, and fails
            with read_only(warehouse):
                pass
        inputs, payable, horizon = read_snapshot(snapshot)
        results = {task: run_period_task(inputs, task, horizon) for task in reversed(period_tasks(inputs.as_of))}
        summary = write_bookings_forecast(inputs, payable, results, tmp_path / "out", horizon)
    finally:
        writer.communicate("")
    assert writer.returncode == 0
    assert summary["files"]["bookings_forecast.parquet"]
    # computed in reverse order from the snapshot: the files of the sequential run
    bookings_forecast_run(paths.warehouse, tmp_path / "sequential")
    assert _files(tmp_path / "out" / FORECAST_DIR) == _files(tmp_path / "sequential" / FORECAST_DIR)
