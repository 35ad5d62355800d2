"""The row rules of the landing contract: text in, typed rows and quarantine rows out.

Every landing value arrives as text (CSV as read, a Parquet column written as
text by its Parquet type, see :mod:`assets.ingest.typed_parquet`), so a CSV and
a Parquet file of the same rows give the same result. The rules are
polars expressions evaluated on a whole chunk at once; nothing here loops over
rows in Python.

How a value is read (the ``type`` of its :class:`~assets.ingest.contract.Column`):

* every type: empty or whitespace-only text is a missing value (null);
  a key or ``required`` column with a missing value breaks ``missing_required_value``
* ``string``   kept as written
* ``decimal``  ``[+-]digits[.digits]`` (also ``.5`` and ``5.``), no exponent, no
  thousands separator; parsed from the text into DECIMAL(38,10), never through
  a float. More than 10 decimals are rounded half away from zero to 10; more
  than 28 integer digits do not fit and are unparseable.
* ``integer``  ``[+-]digits``; a zero fraction (``12.0``, as float-typed Parquet
  writes it) is accepted
* ``date``     ``YYYY-MM-DD``
* ``datetime`` ISO 8601 as exports write it: a date ``YYYY-MM-DD`` (midnight
  UTC) or a date-time ``YYYY-MM-DD[T ]HH:MM[:SS[.fraction]][Z|+hh|+hhmm|+hh:mm]``
  (``T``, ``t`` or a space between date and time; seconds and fraction
  optional; without an offset the value is taken as UTC); stored as UTC,
  microseconds (a fraction beyond microseconds is cut)
* ``boolean``  ``true``/``false``/``1``/``0``, case-insensitive
* ``currency`` an ISO 4217 code of :data:`core.money.KNOWN_CURRENCIES`,
  case-insensitive, stored upper-case
* ``period``   ``YYYY-MM`` with a month 01-12, kept as that text
* ``sha256``   64 hexadecimal digits, case-insensitive, stored lower-case

A value that is present but cannot be read breaks the type's ``unparseable_*``
rule (or ``unknown_currency``); a column's ``missing_rule`` replaces
``missing_required_value`` for it (``adjustment_without_approver``); a value
equal to the one of the column named by ``differs_from`` (trimmed,
case-insensitive) breaks that rule (``adjustment_approved_by_requester``);
a present value not among a column's ``one_of`` values (trimmed,
case-insensitive) breaks its rule (``unknown_inquiry_category``); a value
missing while another column is in a state named by ``required_when`` breaks
its rule (``inquiry_closed_without_resolved_at``); a value earlier than the
other column's named by ``not_before`` breaks its rule
(``inquiry_resolved_before_opened``);
a readable value outside the column's
``min_value``/``max_value`` (inclusive) breaks ``value_out_of_range``. A key
that appears more than once in one file breaks ``duplicate_key_in_file``; see
:func:`duplicate_key_violations` for which of the rows are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from assets.ingest import contract as c
from assets.ingest.raw_layout import MONEY, POLARS_TYPES, QUARANTINE_SCHEMA
from core.money import KNOWN_CURRENCIES
from core.periods import PERIOD_PATTERN

SOURCE_ROW = "_source_row"
ROW_HASH = "_row_hash"

_DECIMAL_TEXT = r"^[+-]?(\d+\.?\d*|\.\d+)$"
_INTEGER_TEXT = r"^[+-]?\d+(\.0*)?$"
_DATE_TEXT = r"^\d{4}-\d{2}-\d{2}$"
_SHA256_TEXT = r"^[0-9a-f]{64}$"
# A date, or a date-time: named parts, so that every accepted spelling is
# rebuilt into one canonical text before it is parsed.
_DATETIME_TEXT = (
    r"^(?<date>\d{4}-\d{2}-\d{2})"
    r"(?:[Tt ](?<hour_minute>\d{2}:\d{2})(?<seconds>:\d{2}(?:\.\d{1,9})?)?"
    r"(?<offset>[Zz]|[+-]\d{2}(?::?\d{2})?)?)?$"
)
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}

# What a bad value "is not", per type, for the quarantine message.
_TYPE_RULES: dict[str, tuple[str, str]] = {
    "decimal": (c.RULE_BAD_DECIMAL, "is not a decimal"),
    "integer": (c.RULE_BAD_INTEGER, "is not an integer"),
    "date": (c.RULE_BAD_DATE, "is not a date (YYYY-MM-DD)"),
    "datetime": (c.RULE_BAD_DATETIME, "is not an ISO 8601 date or date-time"),
    "boolean": (c.RULE_BAD_BOOLEAN, "is not a boolean (true/false/1/0)"),
    "currency": (c.RULE_UNKNOWN_CURRENCY, "is not a known ISO 4217 currency"),
    "period": (c.RULE_BAD_PERIOD, "is not a period (YYYY-MM)"),
    "sha256": (c.RULE_BAD_SHA256, "is not a SHA-256 digest (64 hexadecimal digits)"),
}


@dataclass(frozen=True)
class SourceContext:
    """Where a chunk of rows came from, as written into every quarantine row."""

    system: str
    dataset: str
    batch: str
    source_file: str  # relative to the landing (or config) root
    loaded_at: datetime


@dataclass(frozen=True)
class CheckedChunk:
    accepted: pl.DataFrame  # typed contract columns, extra columns (text), _source_row
    quarantine: pl.DataFrame  # QUARANTINE_SCHEMA, one row per violation
    rejected_rows: int  # distinct source rows with at least one violation


def typed_value(column: c.Column, text: pl.Expr) -> pl.Expr:
    """The column's value in its contract type; null when missing or unreadable."""
    trimmed = text.str.strip_chars()
    kind = column.type
    if kind == "string":
        return pl.when(trimmed.str.len_bytes() > 0).then(text).otherwise(None).cast(pl.Utf8)
    if kind == "currency":
        code = trimmed.str.to_uppercase()
        return pl.when(code.is_in(sorted(KNOWN_CURRENCIES))).then(code).otherwise(None).cast(pl.Utf8)
    if kind == "decimal":
        readable = trimmed.str.contains(_DECIMAL_TEXT)
        value = trimmed.str.strip_prefix("+").cast(MONEY, strict=False)
        return pl.when(readable).then(value).otherwise(None).cast(MONEY)
    if kind == "integer":
        readable = trimmed.str.contains(_INTEGER_TEXT)
        value = trimmed.str.replace(r"\.0*$", "").str.strip_prefix("+").cast(pl.Int64, strict=False)
        return pl.when(readable).then(value).otherwise(None).cast(pl.Int64)
    if kind == "date":
        readable = trimmed.str.contains(_DATE_TEXT)
        value = trimmed.str.to_date("%Y-%m-%d", strict=False)
        return pl.when(readable).then(value).otherwise(None).cast(pl.Date)
    if kind == "datetime":
        return _datetime_value(trimmed)
    if kind == "period":
        return pl.when(trimmed.str.contains(PERIOD_PATTERN.pattern)).then(trimmed).otherwise(None).cast(pl.Utf8)
    if kind == "sha256":
        lower = trimmed.str.to_lowercase()
        return pl.when(lower.str.contains(_SHA256_TEXT)).then(lower).otherwise(None).cast(pl.Utf8)
    if kind == "boolean":
        return trimmed.str.to_lowercase().replace_strict(_BOOLEANS, default=None, return_dtype=pl.Boolean)
    raise ValueError(f"Column {column.name} has unknown contract type {kind!r}")


def _datetime_value(trimmed: pl.Expr) -> pl.Expr:
    # The regex decides what is accepted; the parser then reads one canonical
    # spelling: ``YYYY-MM-DDTHH:MM:SS[.fraction]+hh:mm`` (a date is midnight,
    # missing seconds are 0, no offset or ``Z`` is UTC, ``+hh``/``+hhmm`` gain the colon).
    parts = trimmed.str.extract_groups(_DATETIME_TEXT)
    offset = parts.struct.field("offset").str.to_uppercase()
    offset = (
        pl.when(offset.is_null() | (offset == "Z"))
        .then(pl.lit("+00:00"))
        .when(offset.str.len_bytes() == 3)
        .then(pl.concat_str([offset, pl.lit(":00")]))
        .when(offset.str.len_bytes() == 5)
        .then(pl.concat_str([offset.str.slice(0, 3), pl.lit(":"), offset.str.slice(3, 2)]))
        .otherwise(offset)
    )
    canonical = pl.concat_str(
        [
            parts.struct.field("date"),
            pl.lit("T"),
            parts.struct.field("hour_minute").fill_null("00:00"),
            parts.struct.field("seconds").fill_null(":00"),
            offset,
        ]
    )
    value = canonical.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%#z", time_unit="us", strict=False)
    readable = parts.struct.field("date").is_not_null()
    return pl.when(readable).then(value.dt.convert_time_zone("UTC")).otherwise(None).cast(POLARS_TYPES["datetime"])


def _range_text(column: c.Column) -> str:
    lo, hi = column.min_value, column.max_value
    if lo is not None and hi is not None:
        return f"is out of range (must be between {lo} and {hi})"
    if lo is not None:
        return f"is out of range (must be at least {lo})"
    return f"is out of range (must be at most {hi})"


def _bound(column: c.Column, bound) -> pl.Expr:
    if column.type == "integer":
        return pl.lit(int(bound), dtype=pl.Int64)
    return pl.lit(bound, dtype=MONEY)


@dataclass(frozen=True)
class _Check:
    flag: str  # name of the boolean column that marks the violating rows
    rule: str
    column: str
    message: pl.Expr  # text after "<file> row <n>: "


def check_chunk(contract: c.DatasetContract, text: pl.DataFrame, source: SourceContext) -> CheckedChunk:
    """Apply the row rules (all but duplicate keys) to a text chunk with a ``_source_row`` column.

    Every contract column must be present in ``text`` (the loader checks the
    header first). Other columns are extra columns, kept as text.
    """
    key = set(contract.key)
    landing_columns = [name for name in text.columns if name != SOURCE_ROW]
    extras = [name for name in landing_columns if name not in contract.column_names]
    values: list[pl.Expr] = []
    flags: list[pl.Expr] = []
    checks: list[_Check] = []
    for i, column in enumerate(contract.columns):
        raw = pl.col(column.name)
        value_name = f"__spm_value_{i}"
        values.append(typed_value(column, raw).alias(value_name))
        missing = raw.is_null() | (raw.str.strip_chars().str.len_bytes() == 0)
        if column.required or column.name in key:
            flag = f"__spm_missing_{i}"
            flags.append(missing.alias(flag))
            checks.append(
                _Check(flag, column.missing_rule, column.name, pl.format("{} is missing", pl.lit(column.name)))
            )
        if column.differs_from is not None:
            other, rule = column.differs_from
            same = raw.str.strip_chars().str.to_lowercase() == pl.col(other).str.strip_chars().str.to_lowercase()
            flag = f"__spm_same_{i}"
            flags.append((~missing & same).fill_null(False).alias(flag))
            checks.append(
                _Check(flag, rule, column.name, pl.format("{} '{}' is also {}", pl.lit(column.name), raw, pl.lit(other)))
            )
        if column.one_of is not None:
            allowed, rule = column.one_of
            unknown = ~raw.str.strip_chars().str.to_lowercase().is_in(list(allowed))
            flag = f"__spm_one_of_{i}"
            flags.append((~missing & unknown).fill_null(False).alias(flag))
            checks.append(_Check(flag, rule, column.name, _value_message(column.name, f"is not one of {', '.join(allowed)}")))
        if column.required_when is not None:
            other, states, rule = column.required_when
            in_state = pl.col(other).str.strip_chars().str.to_lowercase().is_in(list(states)).fill_null(False)
            flag = f"__spm_required_when_{i}"
            flags.append((missing & in_state).alias(flag))
            checks.append(_Check(flag, rule, column.name, pl.format("{} is missing but {} is '{}'", pl.lit(column.name),
                                                                    pl.lit(other), pl.col(other).str.strip_chars())))
        if column.required_when_nonzero is not None:
            other = contract.columns.index(contract.column(column.required_when_nonzero))
            nonzero = (pl.col(f"__spm_value_{other}") != 0).fill_null(False)
            flag = f"__spm_missing_when_{i}"
            flags.append((missing & nonzero).alias(flag))
            checks.append(
                _Check(
                    flag, column.missing_rule, column.name,
                    pl.format("{} is missing ({} is not 0)", pl.lit(column.name), pl.lit(column.required_when_nonzero)),
                )
            )
        if column.type in _TYPE_RULES:
            rule, is_not = _TYPE_RULES[column.type]
            flag = f"__spm_bad_{i}"
            flags.append((~missing & pl.col(value_name).is_null()).alias(flag))
            checks.append(_Check(flag, rule, column.name, _value_message(column.name, is_not)))
        if column.min_value is not None or column.max_value is not None:
            outside = pl.lit(False)
            if column.min_value is not None:
                outside = outside | (pl.col(value_name) < _bound(column, column.min_value))
            if column.max_value is not None:
                outside = outside | (pl.col(value_name) > _bound(column, column.max_value))
            flag = f"__spm_range_{i}"
            flags.append(outside.fill_null(False).alias(flag))
            checks.append(_Check(flag, c.RULE_OUT_OF_RANGE, column.name, _value_message(column.name, _range_text(column))))

    # comparisons with another column read both in their types (the typed values above)
    value_names = {column.name: f"__spm_value_{i}" for i, column in enumerate(contract.columns)}
    for i, column in enumerate(contract.columns):
        if column.not_before is not None:
            other, rule = column.not_before
            flag = f"__spm_not_before_{i}"
            earlier = pl.col(value_names[column.name]) < pl.col(value_names[other])
            flags.append(earlier.fill_null(False).alias(flag))
            checks.append(_Check(flag, rule, column.name, pl.format("{} '{}' is before {} '{}'", pl.lit(column.name),
                                                                    pl.col(column.name), pl.lit(other), pl.col(other))))

    checked = text.with_columns(values).with_columns(flags)
    broken = pl.any_horizontal([pl.col(k.flag) for k in checks]) if checks else pl.lit(False)
    checked = checked.with_columns(broken.alias("__spm_broken"))

    accepted = checked.filter(~pl.col("__spm_broken")).select(
        [pl.col(f"__spm_value_{i}").alias(column.name) for i, column in enumerate(contract.columns)]
        + [pl.col(name).cast(pl.Utf8) for name in extras]
        + [pl.col(SOURCE_ROW).cast(pl.Int64)]
    )
    rejected = checked.height - accepted.height
    quarantine_parts = []
    if rejected:
        for check in checks:
            rows = checked.filter(pl.col(check.flag))
            if rows.height:
                quarantine_parts.append(
                    quarantine_rows(rows, source, check.rule, check.column, pl.col(check.column), check.message, landing_columns)
                )
    quarantine = (
        pl.concat(quarantine_parts).sort("source_row", maintain_order=True)
        if quarantine_parts
        else empty_quarantine()
    )
    return CheckedChunk(accepted=accepted, quarantine=quarantine, rejected_rows=rejected)


def _value_message(column: str, what: str) -> pl.Expr:
    return pl.format("{} '{}' {}", pl.lit(column), pl.col(column), pl.lit(what))


def quarantine_rows(
    rows: pl.DataFrame,
    source: SourceContext,
    rule: str,
    column_name: str,
    value: pl.Expr,
    message: pl.Expr,
    landing_columns: list[str],
) -> pl.DataFrame:
    """Quarantine rows (QUARANTINE_SCHEMA) for ``rows``, all breaking ``rule``."""
    return rows.select(
        pl.lit(source.system, pl.Utf8).alias("system"),
        pl.lit(source.dataset, pl.Utf8).alias("dataset"),
        pl.lit(source.batch, pl.Utf8).alias("batch"),
        pl.lit(source.source_file, pl.Utf8).alias("source_file"),
        pl.col(SOURCE_ROW).cast(pl.Int64).alias("source_row"),
        pl.lit(rule, pl.Utf8).alias("rule"),
        pl.lit(column_name, pl.Utf8).alias("column_name"),
        value.cast(pl.Utf8).alias("value"),
        pl.format("{} row {}: {}", pl.lit(source.source_file), pl.col(SOURCE_ROW), message).alias("message"),
        pl.struct([pl.col(name) for name in landing_columns]).struct.json_encode().alias("record_json"),
        pl.lit(source.loaded_at, POLARS_TYPES["datetime"]).alias("_loaded_at"),
    )


def empty_quarantine() -> pl.DataFrame:
    return pl.DataFrame(schema=QUARANTINE_SCHEMA)


# --- duplicate keys: a whole-file rule, evaluated after every chunk was read ---


def key_columns(contract: c.DatasetContract, text: pl.DataFrame) -> pl.DataFrame:
    """What duplicate detection needs of a chunk: the key, the row, a hash of the whole row.

    Key values are compared as read (``usd`` and ``USD``, ``2026-01-01`` and
    `` 2026-01-01`` are one key); a value that cannot be read is compared as written.
    """
    landing_columns = [name for name in text.columns if name != SOURCE_ROW]
    return text.select(
        [pl.coalesce(typed_value(contract.column(k), pl.col(k)).cast(pl.Utf8), pl.col(k)).alias(k) for k in contract.key]
        + [pl.col(SOURCE_ROW).cast(pl.Int64), pl.struct(landing_columns).hash().alias(ROW_HASH)]
    )


def duplicate_key_violations(contract: c.DatasetContract, keys: pl.DataFrame) -> pl.DataFrame:
    """Rows that break ``duplicate_key_in_file``: ``_source_row``, ``key_value``, ``detail``.

    Exact repeats of a row (every column equal) are an extract glitch that loses
    nothing: the first occurrence is kept and the repeats are quarantined.
    Rows that share a key but differ in any column are ambiguous (which one is
    right?): all of them are quarantined, none is chosen silently.
    Rows with a missing key part are not compared (they break ``missing_required_value``).
    """
    key = list(contract.key)
    present = keys.filter(pl.all_horizontal([pl.col(k).str.strip_chars().str.len_bytes() > 0 for k in key]))
    repeated = present.filter(pl.len().over(key) > 1)
    if repeated.is_empty():
        return pl.DataFrame(schema={SOURCE_ROW: pl.Int64, "key_value": pl.Utf8, "detail": pl.Utf8})
    repeated = repeated.with_columns(
        pl.len().over(key).alias("__occurrences"),
        pl.col(ROW_HASH).n_unique().over(key).alias("__versions"),
        pl.col(SOURCE_ROW).min().over(key).alias("__first_row"),
        pl.concat_str([pl.col(k) for k in key], separator=", ").alias("key_value"),
    )
    key_label = ", ".join(key)
    identical = repeated.filter((pl.col("__versions") == 1) & (pl.col(SOURCE_ROW) != pl.col("__first_row"))).select(
        pl.col(SOURCE_ROW),
        pl.col("key_value"),
        pl.format("{} '{}' repeats row {} exactly; the repeat is not loaded", pl.lit(key_label), pl.col("key_value"), pl.col("__first_row")).alias("detail"),
    )
    conflicting = repeated.filter(pl.col("__versions") > 1).select(
        pl.col(SOURCE_ROW),
        pl.col("key_value"),
        pl.format(
            "{} '{}' appears in {} rows with different values (first at row {}); none of them is loaded",
            pl.lit(key_label),
            pl.col("key_value"),
            pl.col("__occurrences"),
            pl.col("__first_row"),
        ).alias("detail"),
    )
    return pl.concat([identical, conflicting]).sort(SOURCE_ROW)
