"""Typed Parquet columns, read by their type (SPEC §2: "typed Parquet columns are read by their type").

Spark, Fivetran and Airbyte write Parquet with real types: ``CloseDate`` as a
date or a timestamp, ``Amount`` as a decimal or a double, ``IsWon`` as a
boolean. The row rules of :mod:`assets.ingest.rules` read text, so each typed
column is first written as the text a CSV export of the same value would hold;
then a CSV file and a Parquet file of the same rows give the same raw rows.

Which Parquet types a contract type accepts, and the text each one becomes:

============  ===========================================================
contract      Parquet type -> text
============  ===========================================================
``string``    string as is; integer as its digits (ids written as numbers)
``currency``  string
``decimal``   decimal and integer as their digits; floating point as its
              shortest round-trip spelling (``1234.56``, never the binary
              expansion ``1234.55999...``; a value the float prints with an
              exponent, ``1e+20``, is then ``unparseable_decimal``)
``integer``   integer; decimal and floating point (a zero fraction is
              accepted, any other breaks ``unparseable_integer``)
``date``      date as ``YYYY-MM-DD``; timestamp at midnight (UTC for a
              timestamp with a time zone) as its date, a timestamp with a
              time of day as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``, which breaks
              ``unparseable_date`` (a date cut from it would be a guess)
``datetime``  timestamp as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (a timestamp
              without a time zone is UTC); date as ``YYYY-MM-DD`` (midnight UTC)
``boolean``   boolean as ``true``/``false``; integer as its digits (1/0)
============  ===========================================================

Every contract type also accepts string (read by the row rules like CSV text)
and an all-null column. Any other Parquet type (a boolean ``CloseDate``, a date
``Amount``, a list or struct) cannot hold the field: the file is refused with
one line naming the file, the column, the expected and the found type.
"""

from __future__ import annotations

from datetime import time

import polars as pl

from assets.ingest.contract import DatasetContract

# Parquet (as polars reads it) type families.
STRING, INTEGER, FLOAT, DECIMAL, BOOLEAN, DATE, TIMESTAMP, NULL = (
    "string", "integer", "floating point", "decimal", "boolean", "date", "timestamp", "null",
)

ACCEPTED: dict[str, tuple[str, ...]] = {
    "string": (STRING, INTEGER),
    "currency": (STRING,),
    "decimal": (DECIMAL, INTEGER, FLOAT, STRING),
    "integer": (INTEGER, DECIMAL, FLOAT, STRING),
    "date": (DATE, TIMESTAMP, STRING),
    "datetime": (TIMESTAMP, DATE, STRING),
    "boolean": (BOOLEAN, INTEGER, STRING),
    "period": (STRING,),
    "sha256": (STRING,),
}

_DATETIME_TEXT = "%Y-%m-%dT%H:%M:%S%.6fZ"


def parquet_kind(dtype: pl.DataType) -> str:
    """The type family of a Parquet column (as polars reads it), or the polars type's name."""
    if dtype in (pl.Utf8, pl.Categorical) or isinstance(dtype, (pl.Categorical, pl.Enum)):
        return STRING
    if dtype.is_integer():
        return INTEGER
    if dtype.is_float():
        return FLOAT
    if isinstance(dtype, pl.Decimal):
        return DECIMAL
    if dtype == pl.Boolean:
        return BOOLEAN
    if dtype == pl.Date:
        return DATE
    if isinstance(dtype, pl.Datetime):
        return TIMESTAMP
    if dtype == pl.Null:
        return NULL
    return str(dtype)


def type_mismatches(contract: DatasetContract, schema: dict[str, pl.DataType]) -> dict[str, str]:
    """Contract columns whose Parquet type cannot hold them: column -> what is wrong (absent columns are not checked here)."""
    problems = {}
    for column in contract.columns:
        if column.name not in schema:
            continue
        kind = parquet_kind(schema[column.name])
        if kind != NULL and kind not in ACCEPTED[column.type]:
            problems[column.name] = (
                f"column {column.name} is {kind} ({schema[column.name]}), expected {column.type} "
                f"(Parquet {', '.join(ACCEPTED[column.type])})"
            )
    return problems


def as_text(contract_type: str | None, name: str, dtype: pl.DataType) -> pl.Expr:
    """Column ``name`` of Parquet type ``dtype`` as the text a CSV export would hold (extra columns: ``None``)."""
    column = pl.col(name)
    kind = parquet_kind(dtype)
    if kind == DATE:
        return column.dt.strftime("%Y-%m-%d").alias(name)
    if kind == TIMESTAMP:
        utc = column.dt.convert_time_zone("UTC") if dtype.time_zone else column.dt.replace_time_zone("UTC")
        written = utc.dt.strftime(_DATETIME_TEXT)
        if contract_type == "date":
            at_midnight = utc.dt.time() == pl.lit(time(0, 0))
            return pl.when(at_midnight).then(utc.dt.strftime("%Y-%m-%d")).otherwise(written).alias(name)
        return written.alias(name)
    return column.cast(pl.Utf8).alias(name)
