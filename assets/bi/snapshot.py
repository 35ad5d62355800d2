"""A consistent, read-only copy of the marts for BI tools.

BI tools must never hold the warehouse file (even a read-only connection blocks
dbt, the single writer) and must never see a half-built table. After each
successful build this asset copies every mart into a new DuckDB file and one
Parquet file per mart, in a fresh folder, then swaps a ``current`` pointer to
it in one rename:

    <SPM_EXPORT_DIR>/bi/snapshots/<calculation id>/spm_bi.duckdb
    <SPM_EXPORT_DIR>/bi/snapshots/<calculation id>/<mart>.parquet
    <SPM_EXPORT_DIR>/bi/current -> snapshots/<calculation id>   (symlink, replaced atomically)

A dashboard opens ``bi/current/spm_bi.duckdb`` read-only (or the Parquet
files); the pipeline keeps writing the warehouse meanwhile.

The Parquet files are a pure function of the marts: rows sorted by every
column, so two runs on the same inputs write the same bytes
(tests/orchestration/test_determinism.py). The DuckDB file is not byte-stable (DuckDB's
storage layout is not), only its contents are.
"""

# No ``from __future__ import annotations``: Dagster inspects the annotations at runtime.

import os
import shutil
from pathlib import Path

import dagster as dg
import duckdb

from assets.compensation.assets import mart_keys
from core.fingerprint import inputs_fingerprint
from core.resources import SpmPathsResource

# The tables BI reads: every dimension and fact of the marts layer.
MART_PREFIXES = ("dim_", "fct_")
SNAPSHOTS_KEPT = 3


def _marts(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from duckdb_tables() where database_name = 'wh' and schema_name = 'main' "
        "order by table_name"
    ).fetchall()
    return [name for (name,) in rows if name.startswith(MART_PREFIXES)]


def write_snapshot(warehouse: Path, export_dir: Path, snapshot_id: str) -> tuple[Path, dict[str, int]]:
    """Copy the marts into ``bi/snapshots/<id>/`` and point ``bi/current`` at it; return (folder, row counts)."""
    bi = Path(export_dir) / "bi"
    final = bi / "snapshots" / snapshot_id
    building = bi / "snapshots" / f".{snapshot_id}.building"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    counts: dict[str, int] = {}
    con = duckdb.connect(str(building / "spm_bi.duckdb"))
    try:
        con.execute(f"attach '{warehouse}' as wh (read_only)")
        for table in _marts(con):
            # A warehouse table has no row order (dbt builds it with parallel joins and
            # aggregates), so the copy sorts by every column: the same marts give the
            # same rows in the same order, and the Parquet file the same bytes, whatever
            # the thread scheduling of the build. DuckDB keeps a table's insertion
            # order on a scan (preserve_insertion_order), so the Parquet file, written
            # from the sorted table, needs no second sort.
            con.execute(f'create table "{table}" as select * from wh.main."{table}" order by all')
            con.execute(f"copy \"{table}\" to '{building / (table + '.parquet')}' (format parquet)")
            counts[table] = con.execute(f'select count(*) from "{table}"').fetchone()[0]
        con.execute("detach wh")
    finally:
        con.close()
    shutil.rmtree(final, ignore_errors=True)
    os.replace(building, final)
    link = bi / "current"
    tmp_link = bi / ".current.tmp"
    tmp_link.unlink(missing_ok=True)
    tmp_link.symlink_to(final.relative_to(bi), target_is_directory=True)
    os.replace(tmp_link, link)  # readers see the old snapshot or the new one, never a mix
    _prune(bi / "snapshots", keep={final.name})
    return final, counts


def _prune(snapshots: Path, keep: set[str]) -> None:
    """Keep the newest few snapshots (a dashboard may still be reading an older one)."""
    folders = sorted((p for p in snapshots.iterdir() if p.is_dir() and not p.name.startswith(".")),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    for folder in folders[SNAPSHOTS_KEPT:]:
        if folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)


@dg.asset(
    key=["bi_snapshot"],
    deps=mart_keys("fct_commission", "fct_attainment", "fct_quarantine"),
    group_name="bi",
    kinds={"duckdb", "parquet"},
    pool="duckdb_warehouse",  # reads the warehouse file: never while dbt writes it
    description="Read-only copy of every mart (DuckDB file and Parquet per mart) under SPM_EXPORT_DIR/bi/current.",
)
def bi_snapshot(context: dg.AssetExecutionContext, paths: SpmPathsResource) -> dg.MaterializeResult:
    settings = paths.paths()
    snapshot_id = inputs_fingerprint(settings.landing_dir, settings.config_dir)
    folder, counts = write_snapshot(settings.warehouse, settings.export_dir, snapshot_id)
    context.log.info(f"BI snapshot of {len(counts)} marts at {folder}")
    return dg.MaterializeResult(
        metadata={
            "snapshot": dg.MetadataValue.path(str(folder)),
            "current": dg.MetadataValue.path(str(settings.export_dir / "bi" / "current")),
            "rows_by_mart": dg.MetadataValue.json(counts),
        }
    )
