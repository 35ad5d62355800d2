"""dbt as a child that dies with its parent: never an orphan writer of the warehouse.

Every dbt process the pipeline starts (the build through ``DbtCliResource``,
the ledger refresh of a publication, the forecast's scenario engines) runs
``spm-dbt`` (this module's :func:`main`, installed beside the venv's Python by
``pip install -e .``) instead of ``dbt``. Before it loads dbt it asks the
kernel for SIGKILL when its parent dies (``PR_SET_PDEATHSIG``), so a job killed
with SIGKILL, even the parent process alone, takes its dbt child with it
rather than leaving it to hold the DuckDB write lock. The parent's pid travels
in ``SPM_DBT_PARENT_PID`` (:func:`parent_env`): a child whose parent died
before the request was made exits at once, and a later run can tell an orphan
of ours from any other process holding the warehouse
(:func:`orphaned_dbt_parent`).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from pathlib import Path

from core import processes
from core.engine import ENGINE_FINGERPRINT_VARIABLE, engine_fingerprint
from core.settings import PARENT_PID_VARIABLE, dbt_parent_pid

EXECUTABLE = Path(sys.executable).parent / "spm-dbt"
_PR_SET_PDEATHSIG = 1


# dbt's log file is for a person: text with timestamps and without colour codes (dbt's
# stdout stays JSON for dagster-dbt, which sets DBT_LOG_FORMAT), and no colour codes
# inside the events' messages either (they reach the Dagster log). A value set in the
# environment wins.
LOG_SETTINGS = {"DBT_LOG_FORMAT_FILE": "debug", "DBT_USE_COLORS": "false", "DBT_USE_COLORS_FILE": "false"}


def parent_env() -> dict[str, str]:
    """The environment a dbt child starts with: the entry that names this process as its
    parent, and dbt's log settings (``LOG_SETTINGS``)."""
    return {**{name: os.environ.get(name, value) for name, value in LOG_SETTINGS.items()},
            PARENT_PID_VARIABLE: str(os.getpid())}


def _die_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")


def main() -> int:
    """``spm-dbt ARGS``: dbt ARGS, bound to the life of the parent process."""
    if sys.platform.startswith("linux"):
        _die_with_parent()
    expected = dbt_parent_pid()
    if expected and int(expected) != os.getppid():
        print(f"spm-dbt: the parent process {expected} is gone; not starting dbt", file=sys.stderr)
        return 1
    # A build by a changed engine recomputes every deal (core/engine.py).
    os.environ.setdefault(ENGINE_FINGERPRINT_VARIABLE, engine_fingerprint())
    # dbt writes every debug event (each SQL statement, connection and cache
    # event) to its log file: a tenth of a build's time, most of it in logging.
    # The file gets what the console gets; DBT_LOG_LEVEL_FILE=debug brings the rest.
    os.environ.setdefault("DBT_LOG_LEVEL_FILE", "info")
    from dbt.cli.main import cli

    sys.argv[0] = "dbt"
    return cli()


def dbt_children(pid: int) -> list[int]:
    """The dbt children process ``pid`` started (they carry its pid in ``SPM_DBT_PARENT_PID``)."""
    return [c for c in processes.children(pid) if processes.environment_value(c, PARENT_PID_VARIABLE) == str(pid)]


def orphaned_dbt_parent(pid: int) -> int | None:
    """The pid of the parent an ``spm-dbt`` process ``pid`` was started for, if that parent
    is gone (the process is an orphan of an earlier run); None for any other process."""
    value = processes.environment_value(pid, PARENT_PID_VARIABLE)
    if not value or not value.isdigit():
        return None
    return int(value) if processes.parent(pid) != int(value) else None


if __name__ == "__main__":
    sys.exit(main())
