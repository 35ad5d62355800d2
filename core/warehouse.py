"""The warehouse, read-only: how every Python domain reads the engine's marts.

DuckDB has one writer, and even a read-only connection blocks it, so a reader
holds its connection for one block and closes it; the assets that read run in
the ``duckdb_warehouse`` pool, never while dbt builds. What a reader may read
is the marts (dbt_project/README.md; tests/orchestration/test_layering.py checks it).

On Spark (``SPM_ENGINE=spark``, docs/scale_out.md) dbt writes every table as a
folder of Parquet files under ``spark_warehouse(warehouse)``; a reader gets an
in-memory DuckDB connection with one view per table over its files, so every
query reads the same names, types and rows as on the DuckDB file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from core.failures import user_error
from core.settings import engine

# The schema dbt builds in on Spark (profiles.yml): its tables are folders <spark>/spm.db/<table>.
SPARK_SCHEMA = "spm"


def spark_warehouse(warehouse: Path) -> Path:
    """The Spark warehouse folder of the pipeline whose DuckDB file would be ``warehouse`` (profiles.yml)."""
    return Path(warehouse).parent / "spark"


def spark_tables(warehouse: Path) -> dict[str, Path]:
    """The tables dbt built on Spark for ``warehouse``: name -> folder of Parquet files."""
    schema = spark_warehouse(warehouse) / f"{SPARK_SCHEMA}.db"
    if not schema.is_dir():
        return {}
    return {
        folder.name: folder
        for folder in sorted(schema.iterdir())
        if folder.is_dir() and not folder.name.startswith((".", "_")) and any(folder.glob("*.parquet"))
    }


def is_built(warehouse: Path) -> bool:
    """Whether the engine has built the warehouse ``warehouse`` names (the DuckDB file, or tables on Spark)."""
    return bool(spark_tables(warehouse)) if engine() == "spark" else Path(warehouse).exists()


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@contextmanager
def read_only(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to ``warehouse`` for the block, without DuckDB's progress bar; closed after.

    On Spark: an in-memory connection whose views are the Spark tables' Parquet files.
    """
    if engine() == "spark":
        tables = spark_tables(warehouse)
        if not tables:
            raise user_error(f"No Spark warehouse at {spark_warehouse(warehouse)}: build the engine first (SPM_ENGINE=spark).")
        con = duckdb.connect()
    else:
        tables = {}
        con = duckdb.connect(str(warehouse), read_only=True)
    try:
        con.execute("PRAGMA disable_progress_bar").fetchall()
        for name, folder in tables.items():
            con.execute(
                f'create view "{name}" as select * from read_parquet({_sql_text(str(folder / "*.parquet"))})'
            ).fetchall()
        yield con
    finally:
        con.close()
