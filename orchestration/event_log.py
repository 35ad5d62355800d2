"""Quick commits to the Dagster instance's SQLite files while a run executes in this process.

Dagster's SQLite storage opens a connection per event and closes it after the
commit: with SQLite's defaults each commit waits for the disk (fsync of the
write-ahead log) and each close of the file's last connection checkpoints the
log into the database (more fsyncs). A pipeline run writes about 2,500 events
(a dbt build of 130 models and 600 tests: planned, output, materialization and
check events), each through two or three connections: 25-50 ms an event on a
shared disk, over a minute of a small company's run, most of it after dbt has
finished (the step stores its events then) and at run start (the planned
events of every asset and check).

For the life of the block, every connection Dagster opens to a SQLite file in
write-ahead-log mode under DAGSTER_HOME gets ``synchronous=NORMAL`` (commits no
longer wait for the disk; the log is synced at each checkpoint), and one idle
connection per file stays open so that closing Dagster's connections does not
checkpoint. SQLite's documentation: in WAL mode NORMAL never corrupts the
database; a power cut or a crash of the machine (not of this process) can
lose the last commits, which the next run's guard treats like any
interrupted run (orchestration/run_guard.py). The idle connections close
when the block ends, which checkpoints each file once.

Only runs executed in this process (the CLI's run, publish and backfill, the
benchmark) are affected; the webserver and the daemon keep Dagster's defaults.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def quick_commits(home: Path) -> Iterator[None]:
    """Quick commits (see the module) to the WAL-mode SQLite files under ``home`` for the block."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    root = os.path.join(os.path.realpath(home), "")
    lock = threading.Lock()
    holders: dict[str, sqlite3.Connection] = {}
    others: set[str] = set()  # files that are not the instance's

    def on_connect(dbapi_connection, _record) -> None:
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        path = next((row[2] for row in dbapi_connection.execute("pragma database_list") if row[1] == "main"), "")
        if path in others:
            return
        if path not in holders:
            if not path or not os.path.realpath(path).startswith(root):
                others.add(path)  # in memory, or not the instance's
                return
            (mode,) = dbapi_connection.execute("pragma journal_mode").fetchone()
            if str(mode).lower() != "wal":
                return  # a file Dagster is creating (it turns WAL on once its tables exist)
            with lock:
                if path not in holders:
                    holder = sqlite3.connect(path, check_same_thread=False)
                    holder.execute("pragma schema_version").fetchone()  # counts as open once it has read
                    holders[path] = holder
        dbapi_connection.execute("pragma synchronous=NORMAL")

    event.listen(Engine, "connect", on_connect)
    try:
        yield
    finally:
        event.remove(Engine, "connect", on_connect)
        with lock:
            for connection in holders.values():
                connection.close()
            holders.clear()
