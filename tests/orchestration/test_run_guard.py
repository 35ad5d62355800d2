"""The crash-safety guard's parts, on real processes and files (no pipeline run):
orphan writers, foreign holders, pid reuse, leftovers, dbt bound to its parent."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import duckdb
import pytest

from core import dbt_child, processes
from orchestration.run_guard import (
    RunRefused,
    clean_leftovers,
    clean_scratch,
    clear_orphan_writer,
    is_leftover,
    scratch_root,
    warehouse_claim,
)
from tests.support.demo import paths_under

HOLD = "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(120)"


def _holder(warehouse, env: dict | None = None) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(warehouse)], env={**os.environ, **(env or {})},
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def _dead_pid() -> int:
    gone = subprocess.Popen(["true"])
    gone.wait()
    return gone.pid


@pytest.fixture()
def warehouse(tmp_path):
    path = tmp_path / "warehouse" / "spm.duckdb"
    path.parent.mkdir()
    duckdb.connect(str(path)).close()
    return path


def test_an_orphaned_dbt_child_holding_the_warehouse_is_stopped_in_one_line(warehouse):
    # A dbt child whose parent (named in its environment) is gone, still holding the file.
    orphan = _holder(warehouse, {dbt_child.PARENT_PID_VARIABLE: str(_dead_pid())})
    said = []
    try:
        clear_orphan_writer(warehouse, said.append)
        orphan.wait(timeout=10)
    finally:
        orphan.kill()
    assert len(said) == 1 and said[0].startswith(f"Stopped dbt process {orphan.pid}: it outlived the run")
    duckdb.connect(str(warehouse)).close()  # the warehouse is free again


def test_any_other_process_holding_the_warehouse_refuses_the_run_naming_it(warehouse):
    foreign = _holder(warehouse)
    try:
        with pytest.raises(RunRefused) as refused:
            clear_orphan_writer(warehouse, print)
        assert f"is held by process {foreign.pid} (`{sys.executable} -c import duckdb" in str(refused.value)
        assert foreign.poll() is None  # not ours to stop
    finally:
        foreign.kill()


def test_a_free_warehouse_needs_nothing(warehouse):
    said = []
    clear_orphan_writer(warehouse, said.append)
    clear_orphan_writer(warehouse.parent / "missing.duckdb", said.append)
    assert said == []


def test_a_bound_child_dies_with_its_parent_and_a_plain_one_does_not():
    # The parent starts two children, one that makes spm-dbt's request to the kernel, one
    # that does not; then only the parent is killed.
    # The bound child says when its request is made (a loaded machine may take seconds to import).
    bound = "from core import dbt_child; import time; dbt_child._die_with_parent(); print('bound', flush=True); time.sleep(60)"
    script = (
        "import subprocess, sys, time; "
        f"bound = subprocess.Popen([sys.executable, '-c', {bound!r}], stdout=subprocess.PIPE, text=True); "
        "plain = subprocess.Popen(['sleep', '60']); "
        "bound.stdout.readline(); print(bound.pid, plain.pid, flush=True); time.sleep(60)"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    bound_pid, plain_pid = (int(p) for p in parent.stdout.readline().split())
    assert processes.alive(bound_pid) and processes.alive(plain_pid)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while processes.alive(bound_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert not processes.alive(bound_pid)
        assert processes.alive(plain_pid)  # what every dbt child did before: outlive the run
    finally:
        os.kill(plain_pid, 9)


def test_a_child_started_for_a_parent_that_is_gone_does_not_start_dbt():
    done = subprocess.run([str(dbt_child.EXECUTABLE), "--version"], capture_output=True, text=True,
                          env={**os.environ, dbt_child.PARENT_PID_VARIABLE: str(_dead_pid())})
    assert done.returncode == 1
    assert "the parent process" in done.stderr and "not starting dbt" in done.stderr


def test_a_reused_pid_is_not_the_process_seen_before():
    me = os.getpid()
    started = processes.started_at(me)
    assert processes.alive(me, seen_at=time.time())
    assert not processes.alive(me, seen_at=started - 60)  # seen a minute before this process started
    assert not processes.alive(_dead_pid())


def test_leftovers_are_hidden_temporary_files_and_staging_folders(tmp_path):
    paths = paths_under(tmp_path)
    published = paths.export_dir / "payouts" / "published" / "2026-10"
    (published / ".v2.building-run-x").mkdir(parents=True)
    (published / "v1").mkdir()
    (published / "v1" / "payout_2026-10.csv").write_text("kept")
    (paths.export_dir / "payouts" / "2026-10").mkdir(parents=True)
    (paths.export_dir / "payouts" / "2026-10" / ".payout_2026-10.csv.ab12.tmp").write_text("half")
    (scratch_root(paths) / "run-1" / "payout_forecast").mkdir(parents=True)
    (scratch_root(paths) / "run-2").mkdir()
    assert is_leftover(published / ".v2.building-run-x") and not is_leftover(published / "v1")

    assert clean_scratch(paths, keep=lambda run_id: run_id == "run-2") == 1
    assert [p.name for p in scratch_root(paths).iterdir()] == ["run-2"]
    assert clean_leftovers(paths) == 2
    assert sorted(p.relative_to(paths.export_dir).as_posix() for p in paths.export_dir.rglob("*")) == [
        "payouts", "payouts/2026-10", "payouts/published", "payouts/published/2026-10",
        "payouts/published/2026-10/v1", "payouts/published/2026-10/v1/payout_2026-10.csv",
    ]


def test_the_run_lock_is_released_when_its_holder_dies(tmp_path):
    paths = paths_under(tmp_path)
    script = (
        "import sys, time; from pathlib import Path; from orchestration.run_guard import warehouse_claim; "
        "from tests.support.demo import paths_under; "
        "claim = warehouse_claim(paths_under(Path(sys.argv[1])), 'python -m orchestration.cli run'); "
        "claim.__enter__(); print('claimed', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "claimed"
    with pytest.raises(RunRefused, match=f"in use by `python -m orchestration.cli run` \\(process {holder.pid}, since "):
        with warehouse_claim(paths, "python -m orchestration.cli publish --period 2026-10"):
            pass
    holder.kill()  # SIGKILL: no clean-up of its own
    holder.wait()
    with warehouse_claim(paths, "python -m orchestration.cli publish --period 2026-10"):
        pass
