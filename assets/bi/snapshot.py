"""A consistent, read-only copy of the marts and the forecasts for BI tools.

BI tools must never hold the warehouse file (even a read-only connection blocks
dbt, the single writer) and must never see a half-built table. After each
successful build this asset writes one Parquet file per mart straight from the
warehouse into a fresh folder, adds a small DuckDB file of views over those
files, then swaps a ``current`` pointer to the folder in one rename:

    <SPM_EXPORT_DIR>/bi/snapshots/<calculation id>/<mart or forecast table>.parquet
    <SPM_EXPORT_DIR>/bi/snapshots/<calculation id>/spm_bi.duckdb   (one view per table over its Parquet file)
    <SPM_EXPORT_DIR>/bi/current -> snapshots/<calculation id>   (symlink, replaced atomically)

The forecasts are tables of the snapshot too (``forecast_bookings``,
``forecast_attainment``, ``forecast_payout``, ``forecast_payout_summary``:
assets/forecasts/tables.py names them, with their grain and contract): each
forecast file's columns and types are checked against its contract before
anything is written, then copied sorted by its grain. Before ``current`` moves,
every table is counted through its view against its source (the mart, the
forecast file): the check ``rows_match_sources``; on a difference ``current``
stays where it was.

A dashboard opens ``bi/current/spm_bi.duckdb`` read-only (or the Parquet
files); the pipeline keeps writing the warehouse meanwhile. The views name the
Parquet files by their absolute path in the snapshot folder (DuckDB resolves a
relative path against the reader's working folder, not the database file's), so
the DuckDB file holds no second copy of the rows and stays a few kilobytes.

The Parquet files are a pure function of the marts: a warehouse table has no
row order (dbt builds it with parallel joins and aggregates), so each file is
written sorted by the mart's grain, its declared unique key (``sort_keys``,
from the dbt project's data tests: ``mart_sort_keys``). A key is unique, so the
order is total and two runs on the same inputs write the same bytes
(tests/orchestration/test_determinism.py); a mart without a declared key is
sorted by all its columns. The DuckDB file is not byte-stable (DuckDB's storage
layout is not, and it names the folder), only its contents are.
"""

# No ``from __future__ import annotations``: Dagster inspects the annotations at runtime.

import json
import os
import re
import shutil
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb

from assets.compensation.assets import mart_keys
from assets.forecasts.assets import BOOKINGS_FORECAST, PAYOUT_FORECAST
from assets.forecasts.runner import FORECAST_DIR
from assets.forecasts.tables import FORECAST_TABLES, ForecastTable, schema_differences
from assets.planning.proposal import TERRITORY_PROPOSAL
from core.dbt import DBT_PROJECT
from core.failures import user_error
from core.fingerprint import inputs_fingerprint
from core.parallel import usable_cores
from core.resources import SpmPathsResource
from core.warehouse import read_only

# The tables BI reads: every dimension and fact of the marts layer.
MART_PREFIXES = ("dim_", "fct_")
SNAPSHOTS_KEPT = 3
VIEWS_FILE = "spm_bi.duckdb"
MAX_WRITERS = 4  # marts written at once (one thread each), at most

# Data tests that declare a key. ``unique_combination_of_columns`` (and a
# ``row_rules`` test's ``unique_combinations``) groups by its columns, so a null is a
# value like any other and the combination is unique as it stands; dbt's ``unique``
# (and ``row_rules``' ``unique``) skips nulls, so its column is a key only where a
# ``not_null`` test or constraint rules them out.
UNIQUE_TESTS = ("unique", "unique_combination_of_columns", "row_rules")
# A model that is only ``select * from {{ ref('x') }}`` (comments aside): the same rows as x.
_SELECT_STAR_OF_REF = re.compile(r"""select\s+\*\s+from\s+\{\{\s*ref\(\s*['"][\w.]+['"]\s*\)\s*\}\}\s*;?""", re.I)
_SQL_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/|\{#.*?#\}", re.S)


def load_manifest(path: Path | None = None) -> dict[str, Any]:
    """The dbt project's manifest (``target/manifest.json``, the one the pipeline's definitions load)."""
    return json.loads(Path(path or DBT_PROJECT.manifest_path).read_text())


def _enforced_test(node: Mapping[str, Any]) -> bool:
    """A data test that stops the build on a single failing row: enabled, severity error at the
    default threshold (``error_if != 0``), on every row (no ``where``)."""
    config = node.get("config") or {}
    return (
        config.get("enabled", True)
        and str(config.get("severity", "error")).lower() == "error"
        and "".join(str(config.get("error_if", "!= 0")).split()) == "!=0"
        and not config.get("where")
    )


def _declared_keys(manifest: Mapping[str, Any]) -> dict[str, list[tuple[str, ...]]]:
    """Model unique id -> the keys its enforced ``unique`` / ``unique_combination_of_columns`` / ``row_rules``
    tests declare."""
    tests = [n for n in manifest.get("nodes", {}).values() if n.get("resource_type") == "test" and _enforced_test(n)]
    not_null: set[tuple[str, str]] = set()
    for test in tests:
        meta = test.get("test_metadata") or {}
        if meta.get("name") == "not_null" and meta.get("kwargs", {}).get("column_name"):
            not_null.add((test.get("attached_node"), meta["kwargs"]["column_name"]))
        if meta.get("name") in ("not_null_columns", "row_rules"):
            kwargs = meta.get("kwargs") or {}
            columns = kwargs.get("columns" if meta["name"] == "not_null_columns" else "not_null") or []
            not_null.update((test.get("attached_node"), column) for column in columns)
    for node_id, node in manifest.get("nodes", {}).items():  # not_null constraints of a contract
        for column, spec in (node.get("columns") or {}).items():
            if any(c.get("type") == "not_null" for c in spec.get("constraints") or []):
                not_null.add((node_id, column))
        for constraint in node.get("constraints") or []:
            if constraint.get("type") == "not_null":
                not_null.update((node_id, column) for column in constraint.get("columns") or [])
    keys: dict[str, list[tuple[str, ...]]] = {}
    for test in tests:
        meta = test.get("test_metadata") or {}
        kwargs = meta.get("kwargs") or {}
        model = test.get("attached_node")
        if meta.get("name") not in UNIQUE_TESTS or not model:
            continue
        # (key, whether it skips nulls): a key that skips them is one only where they are ruled out
        if meta["name"] == "unique":
            declared = [((kwargs["column_name"],), True)] if kwargs.get("column_name") else []
        elif meta["name"] == "row_rules":
            declared = [((column,), True) for column in kwargs.get("unique") or []]
            declared += [(tuple(columns), False) for columns in kwargs.get("unique_combinations") or []]
        else:
            declared = [(tuple(kwargs.get("combination_of_columns") or ()), False)]
        for key, skips_nulls in declared:
            if key and not (skips_nulls and (model, key[0]) not in not_null):
                keys.setdefault(model, []).append(key)
    return keys


def _select_star_parent(node: Mapping[str, Any]) -> str | None:
    """The one model ``node`` is a ``select *`` of (its rows exactly), else None."""
    sql = _SQL_COMMENTS.sub(" ", node.get("raw_code") or "")
    parents = (node.get("depends_on") or {}).get("nodes") or []
    if len(parents) == 1 and parents[0].startswith("model.") and _SELECT_STAR_OF_REF.fullmatch(sql.strip()):
        return parents[0]
    return None


def mart_sort_keys(manifest: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Mart name -> its grain: the unique key its dbt data tests declare, the columns in the
    test's order. Where a mart declares none and is a ``select *`` of another model, that
    model's key. Among several keys, the one of fewest columns (then the first in
    alphabetical order). Marts with no declared key are left out (sorted by all columns)."""
    nodes = manifest.get("nodes", {})
    declared = _declared_keys(manifest)
    sort_keys: dict[str, tuple[str, ...]] = {}
    for node_id, node in nodes.items():
        if node.get("resource_type") != "model" or not node.get("name", "").startswith(MART_PREFIXES):
            continue
        candidates, seen, current = declared.get(node_id, []), {node_id}, node
        while not candidates:
            parent = _select_star_parent(current)
            if parent is None or parent in seen or parent not in nodes:
                break
            seen.add(parent)
            candidates, current = declared.get(parent, []), nodes[parent]
        if candidates:
            sort_keys[node["name"]] = min(candidates, key=lambda key: (len(key), key))
    return sort_keys


def _mart_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The warehouse's marts (tables or views) by name, each with its columns in table order."""
    rows = con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_catalog = current_database() and table_schema = 'main' "
        "order by table_name, ordinal_position"
    ).fetchall()
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        if table.startswith(MART_PREFIXES):
            columns.setdefault(table, []).append(column)
    return columns


def sort_columns(columns: Sequence[str], key: Sequence[str] | None) -> tuple[str, ...]:
    """What a mart's Parquet file is sorted by: its key, or all its columns (in table order) when it
    declares none or the key names a column the table lacks."""
    if key and set(key) <= set(columns):
        return tuple(key)
    return tuple(columns)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def snapshot_writers() -> int:
    """How many marts are written at once: one per core, at most ``MAX_WRITERS``."""
    return max(1, min(usable_cores(), MAX_WRITERS))


def _row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """A mart's rows: stored for a table, and for a twin mart's view (``select *`` of its table)."""
    (count,) = con.execute(f"select count(*) from main.{_quoted(table)}").fetchone()
    return int(count)


def write_snapshot(
    warehouse: Path, export_dir: Path, snapshot_id: str, sort_keys: Mapping[str, Sequence[str]] | None = None,
    forecast_dir: Path | None = None, forecast_tables: Sequence[ForecastTable] = FORECAST_TABLES,
) -> tuple[Path, dict[str, int], dict[str, tuple[str, ...]]]:
    """Write the snapshot (``build_snapshot``) and point ``bi/current`` at it (``make_current``)."""
    folder, counts, orders = build_snapshot(warehouse, export_dir, snapshot_id, sort_keys, forecast_dir,
                                            forecast_tables)
    make_current(folder)
    return folder, counts, orders


def build_snapshot(
    warehouse: Path, export_dir: Path, snapshot_id: str, sort_keys: Mapping[str, Sequence[str]] | None = None,
    forecast_dir: Path | None = None, forecast_tables: Sequence[ForecastTable] = FORECAST_TABLES,
) -> tuple[Path, dict[str, int], dict[str, tuple[str, ...]]]:
    """Write the marts (and, with ``forecast_dir``, the forecast tables) into ``bi/snapshots/<id>/``
    with the DuckDB file of views; ``bi/current`` is not moved. Return the folder, the row count and
    the sort columns of each table.

    ``sort_keys``: mart -> its unique key (``mart_sort_keys``); a mart without one is sorted by all columns.
    ``forecast_dir``: ``SPM_EXPORT_DIR/forecasts``; each of ``forecast_tables`` is checked against its
    contract before anything is written (``ForecastContractError``), then copied sorted by its grain."""
    sort_keys = sort_keys or {}
    forecasts = check_forecast_files(Path(forecast_dir), forecast_tables) if forecast_dir is not None else {}
    bi = Path(export_dir) / "bi"
    final = bi / "snapshots" / snapshot_id
    building = bi / "snapshots" / f".{snapshot_id}.building"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    with read_only(warehouse) as con:
        marts = _mart_columns(con)
        orders = {table: sort_columns(columns, sort_keys.get(table)) for table, columns in marts.items()}
        # One thread per COPY (DuckDB's ``threads`` is the connection's, shared by its cursors)
        # and ``writers`` COPYs at once, the largest first: a sorted COPY keeps one core
        # busy for much of its time, two at once keep both, for less work in all than
        # one at a time on every thread. The bytes are the same: a file's do not depend on
        # the threads that wrote it (tests/bi/test_snapshot.py).
        con.execute("SET threads = 1")
        sizes = {table: _row_count(con, table) * len(columns) for table, columns in marts.items()}

        def copy(table: str) -> int:
            # A key is unique, so the order is total: the same marts give the same rows in
            # the same order, and the Parquet file the same bytes, whatever the thread
            # scheduling of the build. DuckDB writes a sorted query's rows in that order
            # (preserve_insertion_order).
            cursor = con.cursor()
            try:
                target = building / f"{table}.parquet"
                (count,) = cursor.execute(
                    f"copy (select * from main.{_quoted(table)} order by {', '.join(map(_quoted, orders[table]))}) "
                    f"to {_literal(str(target))} (format parquet)"
                ).fetchone()
                return int(count)
            finally:
                cursor.close()

        pool = ThreadPoolExecutor(max_workers=snapshot_writers())
        try:
            written = {table: pool.submit(copy, table) for table in sorted(marts, key=lambda t: -sizes[t])}
            counts = {table: written[table].result() for table in marts}
        finally:
            pool.shutdown(wait=True, cancel_futures=True)  # after a failed COPY: none of those not started
    overlap = sorted(set(forecasts) & set(counts))
    if overlap:
        raise ForecastContractError(f"forecast table(s) {overlap} have the name of a mart")
    for table, source in forecasts.items():
        counts[table], orders[table] = _copy_forecast(source, building / f"{table}.parquet")
    shutil.rmtree(final, ignore_errors=True)
    os.replace(building, final)
    # The views name the files where they now are, and DuckDB reads a file's schema when a
    # view is created: the views are made after the rename, before ``current`` points here.
    _write_views(final, sorted(counts))
    return final, counts, orders


def make_current(final: Path) -> None:
    """Point ``bi/current`` at the snapshot folder ``final`` in one rename; keep the newest few."""
    bi = final.parent.parent
    link = bi / "current"
    tmp_link = bi / ".current.tmp"
    tmp_link.unlink(missing_ok=True)
    tmp_link.symlink_to(final.relative_to(bi), target_is_directory=True)
    os.replace(tmp_link, link)  # readers see the old snapshot or the new one, never a mix
    _prune(bi / "snapshots", keep={final.name})


# --- the forecast tables (assets/forecasts/tables.py: their names, grain and contracts) ---


class ForecastContractError(ValueError):
    """A forecast file is missing or its columns and types are not its table's contract."""


def parquet_columns(con: duckdb.DuckDBPyConnection, path: Path) -> list[tuple[str, str]]:
    """(column, DuckDB type) of a Parquet file, in file order."""
    return [(name, str(kind)) for name, kind, *_ in
            con.execute(f"describe select * from read_parquet({_literal(str(path))})").fetchall()]


def check_forecast_files(forecast_dir: Path, tables: Sequence[ForecastTable]) -> dict[str, tuple[Path, ForecastTable]]:
    """Table name -> (file, table) of every forecast table, once each file is there and its columns
    and types are the declared ones; else ``ForecastContractError`` naming every file and difference."""
    problems, found = [], {}
    con = duckdb.connect()
    try:
        for table in tables:
            path = Path(forecast_dir) / table.file
            if not path.is_file():
                problems.append(f"{path}: missing (table {table.name}; has the forecast run?)")
                continue
            differences = schema_differences(table, parquet_columns(con, path))
            if differences:
                problems.append(f"{path} (table {table.name}): " + "; ".join(differences))
            found[table.name] = (path, table)
    finally:
        con.close()
    if problems:
        raise ForecastContractError("forecast file(s) not as their BI table's contract "
                                    "(assets/forecasts/tables.py): " + " | ".join(problems))
    return found


def _copy_forecast(source: tuple[Path, ForecastTable], target: Path) -> tuple[int, tuple[str, ...]]:
    """Copy a checked forecast file, sorted by its table's grain (a unique key: the same bytes on
    rerun), its declared columns in their declared order. Returns the rows and the sort columns."""
    path, table = source
    columns = ", ".join(_quoted(c) for c, _ in table.columns)
    con = duckdb.connect()
    try:
        con.execute("SET threads = 1")
        (count,) = con.execute(
            f"copy (select {columns} from read_parquet({_literal(str(path))}) "
            f"order by {', '.join(map(_quoted, table.grain))}) to {_literal(str(target))} (format parquet)"
        ).fetchone()
    finally:
        con.close()
    return int(count), tuple(table.grain)


# --- what the snapshot is checked against: every table's rows where it came from ---


def source_row_counts(warehouse: Path, forecast_dir: Path | None,
                      forecast_tables: Sequence[ForecastTable] = FORECAST_TABLES) -> dict[str, int]:
    """Rows of every mart of the warehouse and of every forecast file (by its table's name)."""
    with read_only(warehouse) as con:
        counts = {table: _row_count(con, table) for table in _mart_columns(con)}
    if forecast_dir is not None:
        con = duckdb.connect()
        try:
            for table in forecast_tables:
                path = Path(forecast_dir) / table.file
                (rows,) = con.execute(f"select count(*) from read_parquet({_literal(str(path))})").fetchone()
                counts[table.name] = int(rows)
        finally:
            con.close()
    return counts


def snapshot_row_counts(folder: Path) -> dict[str, int]:
    """Rows of every table of the snapshot's DuckDB file, read through its views (what BI sees)."""
    con = duckdb.connect(str(Path(folder) / VIEWS_FILE), read_only=True)
    try:
        tables = [name for (name,) in con.execute(
            "select table_name from information_schema.tables order by table_name").fetchall()]
        return {table: _row_count(con, table) for table in tables}
    finally:
        con.close()


def row_count_problems(sources: Mapping[str, int], snapshot: Mapping[str, int]) -> list[str]:
    """One line per table missing from the snapshot, extra in it, or with other rows than its source."""
    problems = [f"{t}: not in the snapshot ({sources[t]} rows at the source)" for t in sorted(set(sources) - set(snapshot))]
    problems += [f"{t}: in the snapshot but no such mart or forecast" for t in sorted(set(snapshot) - set(sources))]
    problems += [f"{t}: {snapshot[t]} rows in the snapshot, {sources[t]} at the source"
                 for t in sorted(set(sources) & set(snapshot)) if sources[t] != snapshot[t]]
    return problems


def _write_views(folder: Path, marts: list[str]) -> None:
    """``folder/spm_bi.duckdb``: one view per mart over ``folder/<mart>.parquet`` (absolute path)."""
    building = folder / f".{VIEWS_FILE}.building"
    building.unlink(missing_ok=True)
    con = duckdb.connect(str(building))
    try:
        for mart in marts:
            parquet = (folder / f"{mart}.parquet").resolve()
            con.execute(f"create view {_quoted(mart)} as select * from read_parquet({_literal(str(parquet))})")
    finally:
        con.close()
    os.replace(building, folder / VIEWS_FILE)


def _prune(snapshots: Path, keep: set[str]) -> None:
    """Keep the newest few snapshots (a dashboard may still be reading an older one)."""
    folders = sorted((p for p in snapshots.iterdir() if p.is_dir() and not p.name.startswith(".")),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    for folder in folders[SNAPSHOTS_KEPT:]:
        if folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)


BI_SNAPSHOT = dg.AssetKey("bi_snapshot")
ROWS_CHECK = "rows_match_sources"


@dg.asset(
    key=BI_SNAPSHOT,
    deps=[*mart_keys("fct_commission", "fct_attainment", "fct_quarantine"), BOOKINGS_FORECAST, PAYOUT_FORECAST,
          TERRITORY_PROPOSAL],
    group_name="bi",
    kinds={"duckdb", "parquet"},
    pool="duckdb_warehouse",  # reads the warehouse file: never while dbt writes it
    description="Read-only snapshot of every mart and of the bookings, attainment and payout forecasts (a "
    "Parquet file per table, sorted by its grain, and a DuckDB file of views over them) under "
    "SPM_EXPORT_DIR/bi/current. The forecast files are checked against their declared columns and types "
    "first (assets/forecasts/tables.py).",
    check_specs=[
        dg.AssetCheckSpec(
            ROWS_CHECK, asset=BI_SNAPSHOT, blocking=True,
            description="Every table of spm_bi.duckdb, read through its view, has as many rows as its source "
            "(the warehouse's mart, or the forecast file), and every mart and forecast table is there; "
            "bi/current moves to the new snapshot only when this passes.",
        ),
    ],
)
def bi_snapshot(context: dg.AssetExecutionContext, paths: SpmPathsResource) -> dg.MaterializeResult:
    settings = paths.paths()
    snapshot_id = inputs_fingerprint(settings.landing_dir, settings.config_dir)
    sort_keys = mart_sort_keys(load_manifest())
    forecast_dir = settings.export_dir / FORECAST_DIR
    try:
        folder, counts, orders = build_snapshot(settings.warehouse, settings.export_dir, snapshot_id, sort_keys,
                                                forecast_dir)
    except ForecastContractError as error:
        raise user_error(f"BI snapshot: {error}") from error
    problems = row_count_problems(source_row_counts(settings.warehouse, forecast_dir), snapshot_row_counts(folder))
    if not problems:
        make_current(folder)  # a dashboard never sees a snapshot whose rows differ from the sources
    forecasts = sorted(t.name for t in FORECAST_TABLES)
    context.log.info(f"BI snapshot of {len(counts) - len(forecasts)} marts and {len(forecasts)} forecast tables at "
                     f"{folder}" + ("" if not problems else f"; NOT made current: {len(problems)} row count problem(s)"))
    return dg.MaterializeResult(
        metadata={
            "snapshot": dg.MetadataValue.path(str(folder)),
            "current": dg.MetadataValue.path(str(settings.export_dir / "bi" / "current")),
            "rows_by_mart": dg.MetadataValue.json({t: n for t, n in counts.items() if t not in forecasts}),
            "rows_by_forecast_table": dg.MetadataValue.json({t: counts[t] for t in forecasts}),
            "sorted_by": dg.MetadataValue.json({mart: list(columns) for mart, columns in orders.items()}),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=ROWS_CHECK, passed=not problems,
                metadata={"tables": len(counts), "problems": dg.MetadataValue.json(problems[:50])},
                description=None if not problems else f"{len(problems)} table(s) differ: " + "; ".join(problems[:5]),
            )
        ],
    )
