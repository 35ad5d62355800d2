"""Where the raw layer lives and what its files hold.

The raw layer is Parquet, written only by the ingest assets and read by dbt
(``read_parquet`` sources), so the DuckDB warehouse file has a single writer:
dbt. Layout under the raw root::

    <raw>/<system>/<dataset>/empty.parquet                  0 rows, the typed schema
    <raw>/<system>/<dataset>/batch=<batch>/<file>.parquet   accepted rows of one landing file
    <raw>/quarantine/empty.parquet                          0 rows, the quarantine schema
    <raw>/quarantine/<system>/<dataset>/batch=<batch>/<file>.parquet
    <raw>/config/plan/batch=current/plans.parquet, plan_component/...  flattened plan YAML

``<batch>`` is the extract date folder (``2026-11-27``) for CRM and HR, and
``current`` for configuration, which is re-read in full on every run.
``<file>`` is the landing file's own name (``Opportunity.csv``), so two
formats of one object in one batch never collide.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from assets.ingest.contract import LOAD_COLUMN_NAMES, DatasetContract

CONFIG_BATCH = "current"

MONEY = pl.Decimal(38, 10)

POLARS_TYPES: dict[str, pl.DataType] = {
    "string": pl.Utf8(),
    "currency": pl.Utf8(),
    "decimal": MONEY,
    "integer": pl.Int64(),
    "date": pl.Date(),
    "datetime": pl.Datetime("us", "UTC"),
    "boolean": pl.Boolean(),
    "period": pl.Utf8(),
    "sha256": pl.Utf8(),
}

# Load metadata added to every accepted row (names and meaning: contract.LOAD_COLUMN_NAMES).
LOAD_COLUMNS: dict[str, pl.DataType] = dict(
    zip(LOAD_COLUMN_NAMES, (pl.Utf8(), pl.Date(), pl.Utf8(), pl.Int64(), pl.Datetime("us", "UTC")), strict=True)
)

QUARANTINE_SCHEMA: dict[str, pl.DataType] = {
    "system": pl.Utf8(),
    "dataset": pl.Utf8(),
    "batch": pl.Utf8(),
    "source_file": pl.Utf8(),
    "source_row": pl.Int64(),
    "rule": pl.Utf8(),
    "column_name": pl.Utf8(),
    "value": pl.Utf8(),
    "message": pl.Utf8(),
    "record_json": pl.Utf8(),
    "_loaded_at": pl.Datetime("us", "UTC"),
}


def raw_schema(contract: DatasetContract) -> dict[str, pl.DataType]:
    """The typed schema of a dataset's raw files (contract columns, then load metadata)."""
    schema = {c.name: POLARS_TYPES[c.type] for c in contract.columns}
    schema.update(LOAD_COLUMNS)
    return schema


# The type of a raw column as the catalog shows it (the SQL name of its Parquet type).
TYPE_NAMES: dict[str, str] = {
    "string": "varchar",
    "currency": "varchar",
    "decimal": "decimal(38,10)",
    "integer": "bigint",
    "date": "date",
    "datetime": "timestamp with time zone",
    "boolean": "boolean",
    "period": "varchar",
    "sha256": "varchar",
}
LOAD_COLUMN_TYPES = dict(
    zip(LOAD_COLUMN_NAMES, ("varchar", "date", "varchar", "bigint", "timestamp with time zone"), strict=True)
)


def raw_table_schema(contract: DatasetContract):
    """``raw_schema`` as the Dagster catalog's column schema (``dagster/column_schema``): each
    column's type; a key or a required column is not nullable."""
    import dagster as dg

    columns = [
        dg.TableColumn(
            name=c.name,
            type=TYPE_NAMES[c.type],
            constraints=dg.TableColumnConstraints(nullable=not (c.required or c.name in contract.key)),
        )
        for c in contract.columns
    ]
    columns += [
        dg.TableColumn(name=name, type=type_, description="Load metadata (assets/ingest/contract.py LOAD_COLUMN_NAMES).")
        for name, type_ in LOAD_COLUMN_TYPES.items()
    ]
    return dg.TableSchema(columns=columns)


def dataset_dir(raw_root: Path, contract: DatasetContract) -> Path:
    return Path(raw_root) / contract.system / contract.name


def batch_dir(raw_root: Path, contract: DatasetContract, batch: str) -> Path:
    return dataset_dir(raw_root, contract) / f"batch={batch}"


def quarantine_root(raw_root: Path) -> Path:
    return Path(raw_root) / "quarantine"


def quarantine_batch_dir(raw_root: Path, contract: DatasetContract, batch: str) -> Path:
    return quarantine_root(raw_root) / contract.system / contract.name / f"batch={batch}"
