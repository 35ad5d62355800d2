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
checkpoint. Dagster's SQLite storages also build a new SQLAlchemy engine for
every connection (``create_engine(..., poolclass=NullPool)``, disposed after
use): a new database connection and every statement compiled again, event after
event (about 8 s of a 10,000-deal company's run). In the block, those storages
get one engine per file, kept with its connection pool and its compiled
statements until the block ends; transactions are Dagster's own, unchanged. SQLite's documentation: in WAL mode NORMAL never corrupts the
database; a power cut or a crash of the machine (not of this process) can
lose the last commits, which the next run's guard treats like any
interrupted run (orchestration/run_guard.py). The kept engines and the idle
connections close when the block ends, which checkpoints each file once.

Only runs executed in this process (the CLI's run, publish and backfill, the
benchmark) are affected; the webserver and the daemon keep Dagster's defaults.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

QUICK = "spm_quick_commits"  # set in a connection's record once it is handled

# Dagster's SQLite storages, each of which calls ``create_engine`` for every connection.
SQLITE_STORAGE_MODULES = (
    "dagster._core.storage.event_log.sqlite.sqlite_event_log",
    "dagster._core.storage.runs.sqlite.sqlite_run_storage",
    "dagster._core.storage.schedules.sqlite.sqlite_schedule_storage",
)


@contextmanager
def quick_commits(home: Path) -> Iterator[None]:
    """Quick commits (see the module) to the WAL-mode SQLite files under ``home`` for the block."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    root = os.path.join(os.path.realpath(home), "")
    lock = threading.Lock()
    holders: dict[str, sqlite3.Connection] = {}
    others: set[str] = set()  # files that are not the instance's

    def on_checkout(dbapi_connection, record, _proxy) -> None:
        # At checkout, not at connect: a kept connection to a file Dagster is still
        # creating gets NORMAL at its first checkout once the file is in WAL mode.
        if record.info.get(QUICK) or not isinstance(dbapi_connection, sqlite3.Connection):
            return
        path = next((row[2] for row in dbapi_connection.execute("pragma database_list") if row[1] == "main"), "")
        if path in others:
            record.info[QUICK] = True  # nothing to do for this connection
            return
        if path not in holders:
            if not path or not os.path.realpath(path).startswith(root):
                others.add(path)  # in memory, or not the instance's
                record.info[QUICK] = True
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
        record.info[QUICK] = True

    event.listen(Engine, "checkout", on_checkout)
    try:
        with _engines_kept(root):
            yield
    finally:
        event.remove(Engine, "checkout", on_checkout)
        with lock:
            for connection in holders.values():
                connection.close()
            holders.clear()


@contextmanager
def _engines_kept(root: str) -> Iterator[None]:
    """Dagster's SQLite storages get one engine per instance file under ``root`` for the block (see the module)."""
    import importlib

    import sqlalchemy

    lock = threading.Lock()
    engines: dict[tuple, sqlalchemy.engine.Engine] = {}

    def _keep(close: bool = True) -> None:  # Dagster disposes its engine after each connection
        return None

    def create_engine(url, **kwargs):
        database = sqlalchemy.engine.make_url(url).database or ""
        if not database or not os.path.realpath(database).startswith(root):
            return sqlalchemy.create_engine(url, **kwargs)
        kwargs.pop("poolclass", None)  # a pool that keeps its connections, instead of one per use
        key = (str(url), repr(sorted(kwargs.items())))
        with lock:
            if key not in engines:
                engine = sqlalchemy.create_engine(url, **kwargs)
                engine.dispose = _keep
                engines[key] = engine
            return engines[key]

    with ExitStack() as stack:
        for name in SQLITE_STORAGE_MODULES:
            module = importlib.import_module(name)
            original = module.create_engine
            module.create_engine = create_engine
            stack.callback(setattr, module, "create_engine", original)
        try:
            yield
        finally:
            with lock:
                for engine in engines.values():
                    del engine.dispose  # the engine's own again
                    engine.dispose()
                engines.clear()
