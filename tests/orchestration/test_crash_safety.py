"""Crash safety (docs/operations.md#after-a-crash): jobs killed at chosen moments, then rerun unaided.

The two-payee company of tests/support/ledger.py is built once; every kill is a
CLI process (``python -m orchestration.cli``) killed with SIGKILL, or stopped with
SIGTERM, at a chosen moment: the driver below replaces one function of the
publication with one that kills the process, so the moment is exact. After each
kill the rerun must finish on its own, and the ledger must equal the files on
disk: exactly one complete version per period, no partial file, nothing paid twice.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from assets.payouts import ledger as store
from assets.payouts.extract import sha256_hex
from assets.payouts.ledger_layout import payouts_root
from core import processes
from core.dbt_child import dbt_children
from orchestration.run_guard import LOCK_NAME, PID_TAG, POOL
from tests.support.console import assert_readable_console
from tests.support.demo import paths_under
from tests.support.ledger import deal, run_daily, write_company

pytestmark = pytest.mark.slow  # runs the CLI pipeline

REPO = Path(__file__).resolve().parents[2]

# argv: kill point ("-" for none), then the CLI's arguments.
DRIVER = """
import os, signal, sys
from assets.payouts import publish, ledger as store
point = sys.argv[1]

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

if point == "before_files":  # the first file of the version is about to be written
    publish.atomic_write = die
elif point == "before_record":  # every file and the ledger's lines written, not the record
    store.write_publication_record = die
elif point == "after_record":  # the publication recorded; the run has not ended
    recorded = store.write_publication_record
    def record_then_die(*args, **kwargs):
        recorded(*args, **kwargs)
        die()
    store.write_publication_record = record_then_die
elif point == "no_refusal":  # let the job start beside a live run, to wait for its slot
    import orchestration.run_guard as guard
    guard.refuse_live_runs = lambda *args, **kwargs: None
from orchestration.cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    """The company run through the pipeline once (in process); its environment for the CLI."""
    root = tmp_path_factory.mktemp("crash")
    paths = paths_under(root)
    env = {**os.environ, **paths.as_env(), "DAGSTER_HOME": str(root / "dagster_home"), "SPM_RETRY_DELAY_SECONDS": "1"}
    write_company(paths, [
        deal("O1", "U1", "1000", "2026-01-10"),
        deal("O2", "U2", "3000", "2026-01-15"),
        deal("O3", "U1", "4000", "2026-02-10"),
        deal("O4", "U2", "1000", "2026-03-05"),
    ])
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        run_daily(paths, "2026-01")  # without the forecasts (tests/support/ledger.py); the CLI runs below run all
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return paths, env


def cli(env: dict, *args: str, point: str = "-", timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", DRIVER, point, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout
    )


def start_cli(env: dict, *args: str, point: str = "-") -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", DRIVER, point, *args], env=env, cwd=REPO, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )


def instance(env: dict):
    import dagster as dg

    return dg.DagsterInstance.from_config(env["DAGSTER_HOME"])


def building(pid: int) -> list[int]:
    """The ``spm-dbt build`` children of process ``pid``."""
    return [child for child in dbt_children(pid) if " build" in processes.command_line(child)]


def wait_for(condition, timeout: float = 300, what: str = "") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def assert_ledger_is_the_files_on_disk(paths) -> None:
    """Exactly one complete version per period; each recorded file is on disk with its hash;
    the ledger's lines are the CSV's lines; no partial file or staging folder is visible."""
    publications = store.read_publications(paths.export_dir)
    periods = [p.period for p in publications]
    assert len(periods) == len(set(periods)), f"a period published twice: {periods}"
    assert [p.publication_seq for p in publications] == list(range(1, len(publications) + 1))
    for publication in publications:
        folder = publication.path(paths.export_dir)
        on_disk = {p.name for p in folder.iterdir()}
        for name, digest in publication.files.items():
            assert sha256_hex((folder / name).read_bytes()) == digest, f"{folder / name} differs from the ledger"
        assert {"manifest.json", "payroll_manifest.json"} | set(publication.files) == on_disk
        assert json.loads((folder / "manifest.json").read_text())["run_id"] == publication.run_id
        with (folder / f"payout_{publication.period}.csv").open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        ledger = store.read_published_lines(paths.export_dir, publication.period, publication.version)
        assert ledger.height == len(rows) == publication.row_count
        assert sum(Decimal(r["amount"]) for r in rows) == sum(Decimal(str(a)) for a in ledger["amount"].to_list())
        assert {r["run_id"] for r in rows} == {publication.run_id}
    unfinished = [p for p in payouts_root(paths.export_dir).rglob(".*")]
    assert unfinished == [], f"unfinished files visible: {unfinished}"


@pytest.mark.parametrize(
    ("period", "point"),
    [("2026-01", "before_files"), ("2026-02", "before_record"), ("2026-03", "after_record")],
)
def test_a_publish_killed_at_any_point_is_completed_by_the_rerun(company, period, point):
    paths, env = company
    # docs/payment_workflow.md#approval: the period's content approved first (the month before is
    # published by the previous case: approve refreshes the ledger models the content depends on).
    approved = cli(env, "approve", "--period", period, "--by", "Pat Approver")
    assert approved.returncode == 0 and f"{period}: approved as approver" in approved.stdout, approved.stderr[-2000:]
    killed = cli(env, "publish", "--period", period, point=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    folder = paths.export_dir / "payouts" / "published" / period / "v1"
    if point == "before_files":
        assert not folder.exists()
    else:  # the folder appeared whole: it was renamed into place
        assert (folder / "manifest.json").exists() and (folder / "payroll_manifest.json").exists()
    recorded = store.latest_published_version(paths.export_dir, period)
    assert (recorded is not None) == (point == "after_record")
    written = {p.name: p.read_bytes() for p in folder.iterdir()} if folder.exists() else {}

    rerun = cli(env, "publish", "--period", period)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert "Recovered run" in rerun.stderr  # the killed run was marked failed, its slot freed
    assert f"{period}: version 1 " in rerun.stdout
    publication = store.latest_published_version(paths.export_dir, period)
    assert publication.version == 1
    if point == "after_record":  # the rerun is a no-op: the same publication, from the killed run
        assert publication == recorded
    if point != "before_files":  # the files the killed run wrote stay as they were: it is completed
        assert {p.name: p.read_bytes() for p in folder.iterdir()} == written
        assert json.loads(written["manifest.json"])["run_id"] == publication.run_id
    assert_ledger_is_the_files_on_disk(paths)


def _fake_run(env: dict, holder_pid: int) -> str:
    """A run of spm_pipeline, started by process ``holder_pid``, holding the warehouse slot."""
    import dagster as dg
    from dagster._core.storage.dagster_run import DagsterRun

    run_id = str(uuid.uuid4())
    with instance(env) as dagster:
        dagster.add_run(
            DagsterRun(job_name="spm_pipeline", run_id=run_id, status=dg.DagsterRunStatus.STARTED,
                       tags={PID_TAG: str(holder_pid)})
        )
        dagster.event_log_storage.claim_concurrency_slot(POOL, run_id, "spm_dbt_models")
        assert dagster.event_log_storage.get_concurrency_info(POOL).active_run_ids == {run_id}
    return run_id


def test_a_live_run_refuses_at_once_and_a_dead_ones_slot_is_freed(company):
    paths, env = company
    holder = subprocess.Popen(["sleep", "600"])
    try:
        run_id = _fake_run(env, holder.pid)
        started = time.monotonic()
        refused = cli(env, "publish", "--period", "2026-03")
        assert time.monotonic() - started < 60
        assert refused.returncode == 2  # a refusal: a user error
        line = refused.stderr.strip().splitlines()[-1]
        assert f"run {run_id[:8]} (spm_pipeline, process {holder.pid}, since " in line
        assert "Traceback" not in refused.stderr
    finally:
        holder.kill()
        holder.wait()
    # The holder is gone: its run is marked failed and the slot freed, in one line each.
    published = cli(env, "publish", "--period", "2026-03")  # published already: unchanged
    assert published.returncode == 0, published.stderr[-3000:]
    assert f"Recovered run {run_id[:8]} (spm_pipeline): its process is gone" in published.stderr
    with instance(env) as dagster:
        assert dagster.get_run_by_id(run_id).status.value == "FAILURE"
        assert dagster.event_log_storage.get_concurrency_info(POOL).claimed_slots == []
    assert_ledger_is_the_files_on_disk(paths)


def test_a_second_cli_run_is_refused_naming_the_first(company):
    paths, env = company
    import fcntl

    lock = paths.warehouse.parent / LOCK_NAME
    with lock.open("a+") as handle:  # what a running CLI command holds
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.truncate(0)
        handle.write(json.dumps({"pid": os.getpid(), "command": "python -m orchestration.cli run", "since": 0}))
        handle.flush()
        refused = cli(env, "publish", "--period", "2026-03")
    assert refused.returncode == 2  # a refusal: a user error
    assert refused.stderr.strip() == (
        f"Refusing to start: the warehouse {paths.warehouse} is in use by `python -m orchestration.cli run` "
        f"(process {os.getpid()}, since 1970-01-01 00:00:00 UTC). Wait for it to finish, or stop it "
        f"(kill {os.getpid()}: it stops cleanly on SIGTERM)."
    )


def test_sigterm_ends_a_job_waiting_for_the_warehouse_and_frees_its_place(company):
    paths, env = company
    holder = subprocess.Popen(["sleep", "600"])
    try:
        run_id = _fake_run(env, holder.pid)
        waiting = start_cli(env, "publish", "--period", "2026-05", point="no_refusal")

        def pending():
            with instance(env) as dagster:
                return dagster.event_log_storage.get_concurrency_info(POOL).pending_run_ids - {run_id}

        waiter = wait_for(pending, what="the publish run to wait for the warehouse slot")
        started = time.monotonic()
        waiting.send_signal(signal.SIGTERM)
        _, stderr = waiting.communicate(timeout=30)
        assert time.monotonic() - started < 10
        assert waiting.returncode == 143, stderr[-2000:]
        assert "SIGTERM received: stopping the run and releasing the warehouse." in stderr
        with instance(env) as dagster:
            (waiter_id,) = waiter
            assert dagster.get_run_by_id(waiter_id).status.value == "FAILURE"
            info = dagster.event_log_storage.get_concurrency_info(POOL)
            assert info.pending_run_ids == set() and info.active_run_ids == {run_id}
    finally:
        holder.kill()
        holder.wait()
    assert store.latest_published_version(paths.export_dir, "2026-05") is None


def test_a_run_whose_parent_is_killed_leaves_no_dbt_writer_and_the_rerun_cleans_up(company):
    paths, env = company
    running = start_cli(env, "run", "--period", "2026-03")
    dbt = wait_for(lambda: building(running.pid), what="the dbt build to start")[0]
    time.sleep(2)  # dbt holds the warehouse now
    os.kill(running.pid, signal.SIGKILL)  # the parent alone, as an OOM killer would
    running.communicate()
    wait_for(lambda: processes.started_at(dbt) is None, timeout=10, what=f"dbt process {dbt} to die with its parent")

    # What crashed runs leave: a forecast's scratch folder, a half-written file, a staging folder.
    scratch = paths.warehouse.parent / "scratch" / "0000-dead-run" / "payout_forecast"
    scratch.mkdir(parents=True)
    half = paths.export_dir / "payouts" / "2026-03" / ".payout_2026-03.csv.x1y2.tmp"
    half.parent.mkdir(parents=True, exist_ok=True)
    half.write_text("employee_id,amo")
    staging = paths.export_dir / "payouts" / "published" / "2026-09" / ".v1.building-0000-dead-run"
    staging.mkdir(parents=True)

    rerun = cli(env, "run", "--period", "2026-03")
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    # The killed run's dbt build folder does not get in the way; the console is the one a person reads.
    assert_readable_console(rerun.stdout)
    assert "Recovered run" in rerun.stderr
    assert "Removed 3 scratch folder(s) and unfinished file(s)" in rerun.stderr
    assert not scratch.parent.exists() and not half.exists() and not staging.exists()
    assert not (paths.warehouse.parent / "scratch").exists() or not any((paths.warehouse.parent / "scratch").iterdir())


def test_sigterm_ends_a_running_build_promptly(company):
    paths, env = company
    running = start_cli(env, "run", "--period", "2026-03")
    dbt = wait_for(lambda: building(running.pid), what="the dbt build to start")[0]
    time.sleep(2)
    started = time.monotonic()
    running.send_signal(signal.SIGTERM)
    _, stderr = running.communicate(timeout=60)
    assert time.monotonic() - started < 15
    assert running.returncode == 143, stderr[-2000:]
    assert processes.started_at(dbt) is None
    assert "Stopped by SIGTERM: the run is marked failed and the warehouse released" in stderr
    with instance(env) as dagster:
        assert dagster.event_log_storage.get_concurrency_info(POOL).claimed_slots == []
        assert all(r.dagster_run.is_finished for r in dagster.get_run_records())
