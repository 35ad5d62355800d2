"""What a Dagster run leaves on this machine: its processes, and its scratch folder.

A run is live while a process of its own runs (the CLI process it runs in, its
run worker, its step workers); its scratch work lives under
``<warehouse folder>/scratch/<run id>/`` and is removed once the run is not
live. The run guard (orchestration/run_guard.py) recovers and cleans with
these; a step that makes scratch (the payout forecast) cleans dead runs'
folders first.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

from core import processes
from core.settings import SpmPaths

PID_TAG = "spm/pid"  # the CLI process that runs a job in process


def _run_processes(instance, record) -> list[tuple[int, float]]:
    """(pid, seen at) of the processes a run record names: the CLI process it runs in
    (its tag), its run worker and its step workers (the pids of its start events)."""
    from dagster import DagsterEventType

    run = record.dagster_run
    seen: list[tuple[int, float]] = []
    if run.tags.get(PID_TAG):
        seen.append((int(run.tags[PID_TAG]), record.create_timestamp.timestamp()))
    events = instance.get_records_for_run(
        run.run_id, of_type={DagsterEventType.RUN_START, DagsterEventType.STEP_START}
    ).records
    for event in events:
        entry = event.event_log_entry
        if entry.dagster_event is not None and entry.dagster_event.pid is not None:
            seen.append((entry.dagster_event.pid, entry.timestamp))
    return seen


def live_pids(instance, record) -> list[int]:
    """The processes of a run record still running (pids reused by younger processes excluded)."""
    return sorted({pid for pid, seen_at in _run_processes(instance, record) if processes.alive(pid, seen_at)})


def run_is_live(instance, record) -> bool:
    """A run not finished with a process of its own still running. A run that names no
    process yet (just launched from the UI or the daemon) counts as live for a minute."""
    if record.dagster_run.is_finished:
        return False
    seen = _run_processes(instance, record)
    if not seen:
        return time.time() - record.create_timestamp.timestamp() < 60
    return any(processes.alive(pid, seen_at) for pid, seen_at in seen)


def scratch_root(paths: SpmPaths) -> Path:
    """Where runs keep scratch folders: ``<warehouse folder>/scratch/<run id>/``."""
    return paths.warehouse.parent / "scratch"


def is_leftover(path: Path) -> bool:
    """A hidden file or folder that a run writes and then renames or removes: a half-written
    file (``.<name>.<random>.tmp``) or a folder being built (``.<name>.building-<...>``)."""
    return path.name.startswith(".") and (path.name.endswith(".tmp") or ".building" in path.name)


def clean_scratch(paths: SpmPaths, keep: Callable[[str], bool] = lambda run_id: False) -> int:
    """Remove the scratch folders of runs (but those ``keep`` names by run id); return how many."""
    root = scratch_root(paths)
    dead = [folder for folder in sorted(root.iterdir()) if not keep(folder.name)] if root.exists() else []
    for folder in dead:
        shutil.rmtree(folder, ignore_errors=True)
    return len(dead)


def clean_dead_scratch(paths: SpmPaths, instance) -> int:
    """Remove the scratch folders of runs that are not live (a step does this before it makes its own)."""

    def live(run_id: str) -> bool:
        record = instance.get_run_record_by_id(run_id)
        return record is not None and run_is_live(instance, record)

    return clean_scratch(paths, keep=live)
