"""Crash-safe runs: a killed job never blocks the next one (docs/operations.md#after-a-crash).

The CLI (``run``, ``publish``, ``backfill``) enters :func:`guarded_run` before it
starts a job, and leaves it when the job ends, however it ends:

1. **One live run per warehouse.** The CLI takes an exclusive ``flock`` on
   ``<warehouse folder>/.spm-run.lock`` and writes who holds it (pid, command,
   since) into the file. The kernel drops the lock when the process dies, so a
   crash never leaves it behind; a second CLI run is refused at once, in one
   line naming the holder.
2. **Stale runs are recovered.** Runs of the Dagster instance that are not
   finished but whose processes are gone (every pid their events name is dead,
   or now belongs to a younger process) are marked failed, and every slot of the
   ``duckdb_warehouse`` pool held or awaited by a run that is not live is freed,
   each with one line saying so. A live run (launched from the UI, a schedule or
   a sensor on the same instance) refuses the CLI run at once, naming it.
3. **No orphan writer.** dbt children die with their parent
   (:mod:`core.dbt_child`); should a process still hold the
   warehouse's DuckDB lock, an orphaned ``spm-dbt`` of an earlier run is killed
   (one line), and any other holder refuses the run, naming it.
4. **Scratch work is cleaned.** With no other run live, what crashed runs left
   is removed: scratch folders (``<warehouse folder>/scratch/<run id>/``),
   publishing's staging folders and half-written ``.tmp`` files under the
   export folder.
5. **SIGTERM (and SIGINT) end the command promptly and cleanly**, whether its
   job runs a step or waits for the pool: the dbt child is stopped, the run
   marked failed, its slot freed, its scratch removed, and the process exits
   with status 143 (:class:`_Stop`).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from core import dbt_child, processes
from core.runs import PID_TAG, clean_scratch, is_leftover, live_pids, run_is_live, scratch_root
from core.settings import SpmPaths

POOL = "duckdb_warehouse"
LOCK_NAME = ".spm-run.lock"
EXIT_ON_SIGNAL = 143  # 128 + SIGTERM, what a shell and Kubernetes expect


class RunRefused(Exception):
    """The run must not start (another live run, a foreign holder of the warehouse): one line."""


# --- processes ---------------------------------------------------------------


def _utc(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _stop_process(pid: int, timeout: float = 10.0) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while processes.started_at(pid) is not None and time.monotonic() < deadline:
        time.sleep(0.05)


# --- 1. one live run per warehouse -------------------------------------------


@dataclass(frozen=True)
class Holder:
    pid: int
    command: str
    since: float

    def describe(self) -> str:
        return f"`{self.command}` (process {self.pid}, since {_utc(self.since)})"


@contextmanager
def warehouse_claim(paths: SpmPaths, command: str) -> Iterator[Path]:
    """Hold the run lock of ``paths.warehouse`` for the block, or raise RunRefused naming its holder."""
    folder = paths.warehouse.parent
    folder.mkdir(parents=True, exist_ok=True)
    lock_path = folder / LOCK_NAME
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            raise RunRefused(
                f"Refusing to start: the warehouse {paths.warehouse} is in use by "
                + (holder.describe() if holder else "another run")
                + ". Wait for it to finish, or stop it"
                + (f" (kill {holder.pid}: it stops cleanly on SIGTERM)." if holder else ".")
            ) from None
        record = {"pid": os.getpid(), "command": command, "since": time.time()}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode(), 0)
        yield lock_path
    finally:
        os.close(fd)  # releases the lock (the kernel does so too when the process dies)


def _read_holder(fd: int) -> Holder | None:
    try:
        record = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return Holder(int(record["pid"]), str(record["command"]), float(record["since"]))
    except (ValueError, KeyError, TypeError):
        return None


# --- 2. stale runs and pool slots ----------------------------------------------


def _unfinished(instance) -> list:
    from dagster import DagsterRunStatus, RunsFilter

    statuses = [DagsterRunStatus.NOT_STARTED, DagsterRunStatus.STARTING, DagsterRunStatus.STARTED,
                DagsterRunStatus.CANCELING]
    return list(instance.get_run_records(RunsFilter(statuses=statuses)))


def fail_run(instance, record, message: str) -> None:
    """Mark a run failed and free what it holds or awaits in the warehouse pool."""
    instance.report_run_failed(record.dagster_run, message=message)
    instance.event_log_storage.free_concurrency_slots_for_run(record.dagster_run.run_id)


def recover_stale_runs(instance, say: Callable[[str], None]) -> list:
    """Mark failed the unfinished runs whose processes are gone and free every pool slot not
    held by a live run; return the records of the runs still live."""
    live = []
    for record in _unfinished(instance):
        if run_is_live(instance, record):
            live.append(record)
            continue
        run = record.dagster_run
        fail_run(instance, record, "The run's process is gone (killed or crashed); marked failed by the next run.")
        say(f"Recovered run {run.run_id[:8]} ({run.job_name}): its process is gone; marked failed, "
            f"its warehouse slot freed.")
    live_ids = {r.dagster_run.run_id for r in live}
    info = instance.event_log_storage.get_concurrency_info(POOL)
    holders = {s.run_id for s in info.claimed_slots} | {s.run_id for s in info.pending_steps}
    for run_id in sorted(holders - live_ids):
        instance.event_log_storage.free_concurrency_slots_for_run(run_id)
        say(f"Freed the warehouse slot held or awaited by run {run_id[:8]}, which is no longer running.")
    return live


def refuse_live_runs(instance, live: list) -> None:
    """Refuse, in one line, to start beside a live run of the same instance."""
    if not live:
        return
    record = live[0]
    run = record.dagster_run
    since = record.start_time or record.create_timestamp.timestamp()
    pids = live_pids(instance, record)
    raise RunRefused(
        f"Refusing to start: run {run.run_id[:8]} ({run.job_name}"
        + (f", process {pids[0]}" if pids else "")
        + f", since {_utc(since)}) is still running on this Dagster instance and will claim the warehouse. "
        "Wait for it to finish, or stop it (from the UI, or kill -TERM its process)."
    )


# --- 3. no orphan writer -------------------------------------------------------


LOCK_HOLDER = re.compile(r"PID (\d+)")


def warehouse_lock_holder(warehouse: Path) -> int | None:
    """The pid of the process holding the DuckDB file's lock, or None when it is free (or on Spark: no file)."""
    from core.settings import engine

    if engine() != "duckdb" or not warehouse.exists():
        return None
    import duckdb

    try:
        duckdb.connect(str(warehouse), read_only=True).close()
    except duckdb.Error as error:
        match = LOCK_HOLDER.search(str(error))
        if match and "lock" in str(error).lower():
            return int(match.group(1))
        raise
    return None


def clear_orphan_writer(warehouse: Path, say: Callable[[str], None]) -> None:
    """Kill an orphaned dbt child of an earlier run holding the warehouse; refuse any other holder."""
    pid = warehouse_lock_holder(warehouse)
    if pid is None or pid == os.getpid():
        return
    parent = dbt_child.orphaned_dbt_parent(pid)
    if parent is None:
        raise RunRefused(
            f"Refusing to start: the warehouse {warehouse} is held by process {pid} (`{processes.command_line(pid)}`), "
            "which is not a run of this pipeline. Close it (BI tools read exports/bi/current, never the warehouse)."
        )
    _stop_process(pid)
    say(f"Stopped dbt process {pid}: it outlived the run that started it (process {parent}) and held the warehouse.")


# --- 4. scratch work ---------------------------------------------------------------


def clean_leftovers(paths: SpmPaths) -> int:
    """Remove every leftover (:func:`is_leftover`) under the export folder; return how many.
    Only while no run writes there (the guard has made sure of it)."""
    removed = 0
    if paths.export_dir.exists():
        for path in sorted(paths.export_dir.rglob(".*"), key=lambda p: len(p.parts), reverse=True):
            if is_leftover(path) and (path.exists() or path.is_symlink()):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed += 1
    return removed


# --- 5. SIGTERM ----------------------------------------------------------------------


class _Stop:
    """Ends the command when SIGTERM or SIGINT arrives (see the module's docstring).

    Python writes the number of every signal it receives to the wakeup fd, whichever
    handler is installed (Dagster installs its own during a run, and defers a signal
    that arrives between steps to a checkpoint an in-process run may never reach), so
    the watcher thread sees each one and stops the command itself: it kills the dbt
    child and exits with status 143; a process it starts first (:func:`release`)
    waits for the exit, then marks the command's run failed, frees its warehouse
    slot and removes its scratch folder. Files are written to temporary names
    and renamed, and a publication is recorded last, so stopping at any moment
    leaves no partial file and no half publication.
    """

    def __init__(self, paths: SpmPaths, console, say: Callable[[str], None]):
        self.paths = paths
        self.console = console
        self.say = say
        self.done = threading.Event()
        self.read_fd, self.write_fd = os.pipe()
        os.set_blocking(self.write_fd, False)

    def watch(self) -> None:
        while not self.done.is_set():
            ready, _, _ = select.select([self.read_fd], [], [], 0.5)
            if not ready or self.done.is_set():
                continue
            received = [n for n in os.read(self.read_fd, 64) if n in (signal.SIGTERM, signal.SIGINT)]
            if received:
                self.stop(signal.Signals(received[-1]).name)

    def stop(self, reason: str) -> None:
        """Kill the dbt child, leave the release of the run to a process that outlives this
        one, and exit. The job's thread keeps running until the exit and could claim the
        pool again after a release made from here; once this process is gone it cannot."""
        self.say(f"{reason} received: stopping the run and releasing the warehouse.")
        try:
            for pid in dbt_child.dbt_children(os.getpid()):
                _stop_process(pid, timeout=2.0)
            subprocess.Popen(
                [sys.executable, "-m", "orchestration.run_guard", "release", str(os.getpid()), reason,
                 str(scratch_root(self.paths))],
                stdin=subprocess.DEVNULL, stdout=self.console, stderr=self.console, start_new_session=True,
            )
        except Exception as error:  # the next run recovers what this could not release
            self.say(f"Stopped by {reason}; the next run will release the warehouse ({error}).")
        finally:
            os._exit(EXIT_ON_SIGNAL)

    def close(self) -> None:
        os.close(self.read_fd)
        os.close(self.write_fd)


# --- the whole guard ----------------------------------------------------------------


def run_tags() -> dict[str, str]:
    """Tags of a run executed in this process: its pid, so a later run can tell it is gone."""
    return {PID_TAG: str(os.getpid())}


@contextmanager
def guarded_run(paths: SpmPaths, command: str, instance_factory: Callable, say: Callable[[str], None] | None = None):
    """Claim the warehouse for one CLI command, and stop it cleanly on SIGTERM or SIGINT
    (see the module's docstring)."""
    # The terminal as it is now: during a run Dagster sends this process's stdout and
    # stderr through its compute-log files, which may not reach the terminal after a stop.
    console = os.fdopen(os.dup(sys.stderr.fileno()), "w", buffering=1)
    say = say or (lambda line: print(line, file=console, flush=True))
    stop = _Stop(paths, console, say)
    # The handlers only have to exist (Python then writes to the wakeup fd): the watcher stops.
    previous = {s: signal.signal(s, lambda *_: None) for s in (signal.SIGTERM, signal.SIGINT)}
    previous_wakeup = signal.set_wakeup_fd(stop.write_fd, warn_on_full_buffer=False)
    watcher = None
    try:
        with warehouse_claim(paths, command):
            with instance_factory() as instance:
                refuse_live_runs(instance, recover_stale_runs(instance, say))
            clear_orphan_writer(paths.warehouse, say)
            removed = clean_scratch(paths) + clean_leftovers(paths)
            if removed:
                say(f"Removed {removed} scratch folder(s) and unfinished file(s) left by runs that are no longer running.")
            watcher = threading.Thread(target=stop.watch, name="spm-stop-watcher", daemon=True)
            watcher.start()
            yield
    finally:
        stop.done.set()
        if watcher is not None:
            watcher.join(timeout=1.0)
        signal.set_wakeup_fd(previous_wakeup)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        stop.close()
        console.close()



def release(pid: int, reason: str, scratch: Path, timeout: float = 60.0) -> None:
    """Once process ``pid`` has exited: mark the runs it ran failed, free their pool slots and
    remove their scratch folders (what a stopped command leaves to this process)."""
    import dagster as dg

    deadline = time.monotonic() + timeout
    while processes.alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    with dg.DagsterInstance.get() as instance:
        for record in instance.get_run_records(dg.RunsFilter(tags={PID_TAG: str(pid)}), limit=20):
            if record.dagster_run.is_finished:  # ended in time, or an older process with this pid
                instance.event_log_storage.free_concurrency_slots_for_run(record.dagster_run.run_id)
            else:
                fail_run(instance, record, f"Stopped by {reason}.")
            shutil.rmtree(scratch / record.dagster_run.run_id, ignore_errors=True)
    print(f"Stopped by {reason}: the run is marked failed and the warehouse released; rerun when ready.",
          file=sys.stderr, flush=True)


if __name__ == "__main__" and sys.argv[1:2] == ["release"]:
    release(int(sys.argv[2]), sys.argv[3], Path(sys.argv[4]))
