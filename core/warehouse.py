"""The warehouse, read-only: how every Python domain reads the engine's marts.

DuckDB has one writer, and even a read-only connection blocks it, so a reader
holds its connection for one block and closes it; the assets that read run in
the ``duckdb_warehouse`` pool, never while dbt builds. What a reader may read
is the marts (dbt_project/README.md; tests/orchestration/test_layering.py checks it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb


@contextmanager
def read_only(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to ``warehouse`` for the block, without DuckDB's progress bar; closed after."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute("PRAGMA disable_progress_bar").fetchall()
        yield con
    finally:
        con.close()
