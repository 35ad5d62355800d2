"""Landing files -> raw Parquet and quarantine, one file at a time, idempotently.

For each landing file of a dataset (see :mod:`assets.ingest.landing`):

1. read the header; a missing contract column is a :class:`ContractError`
   naming the file, the dataset and the columns (the whole file is refused:
   a file without its columns is not a batch we can trust row by row);
2. read the rows as text in chunks (bounded memory for big extracts) and apply
   the row rules of :mod:`assets.ingest.rules`;
3. after the last chunk, look for keys repeated within the file;
4. write the accepted rows to ``<raw>/<system>/<dataset>/batch=<batch>/<file>.parquet``
   and the violations to ``<raw>/quarantine/<system>/<dataset>/batch=<batch>/<file>.parquet``,
   each through a temporary file and a rename, so a reader never sees half a file;
5. for CRM/HR, write a small marker beside the raw output. A file with a marker
   is done: ingesting the batch again adds nothing (also when every row of it
   was quarantined and there is no raw output). A landing file whose content
   changed since (same name, other bytes) is ingested again and replaces its
   earlier output.

Configuration datasets (quotas, plan assignments) are not batches: they are
read in full on every run and replace ``batch=current`` wholesale.

Every run also (re)writes the 0-row typed ``empty.parquet`` files (a name
Spark does not hide, as it hides names starting with ``_``), so the
globs dbt reads always match at least one file with the right schema.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from assets.ingest import raw_layout, typed_parquet
from assets.ingest.contract import RULE_DUPLICATE_KEY, DatasetContract
from assets.ingest.landing import CONFIG_SYSTEM, LandingFile, discover
from assets.ingest.rules import (
    SOURCE_ROW,
    SourceContext,
    check_chunk,
    duplicate_key_violations,
    empty_quarantine,
    key_columns,
    quarantine_rows,
)

CHUNK_ROWS = 250_000
EXAMPLES_PER_RULE = 3
EMPTY_FILE = "empty.parquet"
_MARKER_SUFFIX = ".ingested.json"


class ContractError(ValueError):
    """A landing file that cannot be ingested at all (missing columns, unreadable file)."""

    def __init__(self, message: str, *, path: Path | None = None, dataset: str | None = None, columns: list[str] | None = None):
        super().__init__(message)
        self.path = path
        self.dataset = dataset  # "<system>/<name>"
        self.columns = list(columns or [])  # the missing (or reserved) columns


# --- results -----------------------------------------------------------------------------


@dataclass
class FileResult:
    source_file: str  # relative to the landing (or config) root
    batch: str
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0  # distinct rows with at least one violation (not written to raw)
    quarantined_by_rule: dict[str, int] = field(default_factory=dict)  # violations per rule
    raw_file: Path | None = None
    quarantine_file: Path | None = None
    replaced: bool = False  # the file had been ingested before with other content
    quarantine_examples: pl.DataFrame | None = None


@dataclass
class IngestResult:
    """What one ingest run did for one dataset."""

    system: str
    dataset: str
    files_ingested: list[str] = field(default_factory=list)
    files_skipped: list[str] = field(default_factory=list)  # already in raw, unchanged
    files_replaced: list[str] = field(default_factory=list)  # subset of files_ingested
    rows_read: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    quarantined_by_rule: dict[str, int] = field(default_factory=dict)
    raw_files: list[Path] = field(default_factory=list)  # written by this run
    quarantine_files: list[Path] = field(default_factory=list)  # written by this run
    quarantine_examples: pl.DataFrame = field(default_factory=empty_quarantine)

    @property
    def rows_quarantined(self) -> int:
        """Quarantine rows written (one per violation: a row can break several rules)."""
        return sum(self.quarantined_by_rule.values())

    def add(self, outcome: FileResult) -> None:
        self.files_ingested.append(outcome.source_file)
        if outcome.replaced:
            self.files_replaced.append(outcome.source_file)
        self.rows_read += outcome.rows_read
        self.rows_accepted += outcome.rows_accepted
        self.rows_rejected += outcome.rows_rejected
        for rule, count in outcome.quarantined_by_rule.items():
            self.quarantined_by_rule[rule] = self.quarantined_by_rule.get(rule, 0) + count
        if outcome.raw_file is not None:
            self.raw_files.append(outcome.raw_file)
        if outcome.quarantine_file is not None:
            self.quarantine_files.append(outcome.quarantine_file)
        if outcome.quarantine_examples is not None and outcome.quarantine_examples.height:
            examples = pl.concat([self.quarantine_examples, outcome.quarantine_examples])
            self.quarantine_examples = _examples(examples)


def _examples(quarantine: pl.DataFrame) -> pl.DataFrame:
    """A few quarantine rows per rule, for run metadata."""
    return quarantine.filter(pl.int_range(pl.len()).over("rule") < EXAMPLES_PER_RULE)


# --- reading landing files as text --------------------------------------------------------


def clean_column_name(name: str) -> str:
    """A header name as meant: surrounding spaces, tabs, stray carriage returns and a BOM removed."""
    return name.strip().strip("\ufeff").strip()


def _scan(path: Path) -> pl.LazyFrame:
    """A landing file as written: CSV as text, Parquet with its own types."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return pl.scan_csv(path, infer_schema=False, encoding="utf8", raise_if_empty=True)
    if suffix == ".parquet":
        return pl.scan_parquet(path)
    raise ContractError(f"{path}: landing files must be .csv or .parquet", path=path)


def header_as_read(path: Path) -> list[str]:
    """The column names exactly as the file holds them (CSV header, Parquet schema)."""
    try:
        return _scan(path).collect_schema().names()
    except ContractError:
        raise
    except Exception as error:  # polars raises several kinds for an unreadable file
        raise ContractError(f"{path}: cannot read the file's columns ({error})", path=path) from error


def scan_text(path: Path, contract: DatasetContract | None = None) -> pl.LazyFrame:
    """A landing file with every column as text, lazily, under its cleaned header name.

    CSV is read unparsed; a Parquet column is written as text by its Parquet
    type (:mod:`assets.ingest.typed_parquet`; with ``contract``, its columns
    are first checked against the contract types, and a column whose type cannot
    hold its field is a :class:`ContractError` naming file, column, expected and
    found types).
    """
    path = Path(path)
    frame = _scan(path)
    try:
        schema = dict(frame.collect_schema())
    except Exception as error:  # polars raises several kinds for an unreadable file
        raise ContractError(f"{path}: cannot read the file's columns ({error})", path=path) from error
    names = {name: clean_column_name(name) for name in schema}
    frame = frame.rename({raw: clean for raw, clean in names.items() if raw != clean})
    schema = {names[raw]: dtype for raw, dtype in schema.items()}
    if path.suffix.lower() == ".csv":
        return frame
    types = {}
    if contract is not None:
        problems = typed_parquet.type_mismatches(contract, schema)
        if problems:
            raise ContractError(
                f"{path}: {'; '.join(problems.values())} (dataset {contract.system}/{contract.name})",
                path=path,
                dataset=f"{contract.system}/{contract.name}",
                columns=list(problems),
            )
        types = {col.name: col.type for col in contract.columns}
    return frame.select([typed_parquet.as_text(types.get(name), name, dtype) for name, dtype in schema.items()])


def landing_columns(path: Path) -> list[str]:
    """The column names of a landing file (the CSV header, the Parquet schema), cleaned.

    Two names that are one after cleaning (``Id`` and `` Id``) are an error: which one is meant?
    """
    header = header_as_read(path)
    cleaned = [clean_column_name(name) for name in header]
    repeated = sorted({name for name in cleaned if cleaned.count(name) > 1})
    if repeated:
        raise ContractError(
            f"{path}: column(s) {', '.join(repeated)} appear more than once in the header as read {header!r}",
            path=path,
            columns=repeated,
        )
    return cleaned


def required_columns(contract: DatasetContract) -> list[str]:
    """Columns a landing file must have.

    CRM and HR files must carry every column of the contract (SPEC §2 lists
    them as required fields, even where the value may be empty). Our own
    configuration files may leave out a column whose value is optional
    (e.g. ``seasonality_profile`` of quotas, ``end_date`` of plan assignments).
    """
    if contract.system == CONFIG_SYSTEM:
        return [col.name for col in contract.columns if col.required or col.name in contract.key]
    return list(contract.column_names)


def check_header(contract: DatasetContract, path: Path, columns: list[str], header: list[str] | None = None) -> None:
    """``columns`` are the cleaned names; ``header`` the names as read, shown when a column is missing."""
    missing = [name for name in required_columns(contract) if name not in columns]
    if missing:
        by_case = {name.lower(): name for name in columns}
        hints = [f"{m} (found {by_case[m.lower()]!r}: names are case-sensitive)" for m in missing if m.lower() in by_case]
        hint = f"; {', '.join(hints)}" if hints else ""
        as_read = header if header is not None else columns
        raise ContractError(
            f"{path}: missing required column(s) {', '.join(missing)} of dataset "
            f"{contract.system}/{contract.name}{hint}; header as read: {as_read!r}",
            path=path,
            dataset=f"{contract.system}/{contract.name}",
            columns=missing,
        )
    reserved = [name for name in columns if name in raw_layout.LOAD_COLUMNS]
    if reserved:
        raise ContractError(
            f"{path}: column(s) {', '.join(reserved)} are reserved for load metadata "
            f"(dataset {contract.system}/{contract.name})",
            path=path,
            dataset=f"{contract.system}/{contract.name}",
            columns=reserved,
        )


# --- writing ------------------------------------------------------------------------------


def _temporary(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")


def write_parquet_atomic(frame: pl.DataFrame, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary(target)
    try:
        frame.write_parquet(temporary, compression="zstd")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def write_empty_schemas(raw_dir: Path, contract: DatasetContract) -> None:
    """(Re)write the 0-row typed files that keep dbt's globs non-empty."""
    write_parquet_atomic(
        pl.DataFrame(schema=raw_layout.raw_schema(contract)), raw_layout.dataset_dir(raw_dir, contract) / EMPTY_FILE
    )
    write_parquet_atomic(empty_quarantine(), raw_layout.quarantine_root(raw_dir) / EMPTY_FILE)


def raw_output(raw_dir: Path, landing: LandingFile) -> Path:
    return raw_layout.batch_dir(raw_dir, landing.contract, landing.batch) / f"{landing.path.name}.parquet"


def quarantine_output(raw_dir: Path, landing: LandingFile) -> Path:
    return raw_layout.quarantine_batch_dir(raw_dir, landing.contract, landing.batch) / f"{landing.path.name}.parquet"


def marker_path(raw_dir: Path, landing: LandingFile) -> Path:
    # A dot file: never matched by the ``*.parquet`` globs dbt reads.
    return raw_layout.batch_dir(raw_dir, landing.contract, landing.batch) / f".{landing.path.name}{_MARKER_SUFFIX}"


class _RawWriter:
    """Accepted rows of one file, appended chunk by chunk into a temporary Parquet file."""

    def __init__(self, target: Path):
        self.target = target
        self.temporary = _temporary(target)
        self.rows = 0
        self._writer: pq.ParquetWriter | None = None

    def write(self, frame: pl.DataFrame) -> None:
        if frame.height == 0:
            return
        table = frame.to_arrow()
        if self._writer is None:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(self.temporary, table.schema, compression="zstd")
        self._writer.write_table(table)
        self.rows += frame.height

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def drop_rows(self, source_rows: pl.Series) -> None:
        """Take rows out of the written file again (keys found repeated after the last chunk)."""
        self.close()
        if self.rows == 0:
            return
        kept = _temporary(self.target)
        try:
            (
                pl.scan_parquet(self.temporary)
                .filter(~pl.col(SOURCE_ROW).is_in(source_rows.implode()))
                .sink_parquet(kept, compression="zstd")
            )
            self.rows = pl.scan_parquet(kept).select(pl.len()).collect().item()
            os.replace(kept, self.temporary)
        finally:
            kept.unlink(missing_ok=True)

    def commit(self) -> Path | None:
        """Move the file into place; with no accepted rows, remove any earlier output instead."""
        self.close()
        if self.rows == 0:
            self.temporary.unlink(missing_ok=True)
            self.target.unlink(missing_ok=True)
            return None
        os.replace(self.temporary, self.target)
        return self.target

    def abort(self) -> None:
        self.close()
        self.temporary.unlink(missing_ok=True)


# --- one file -----------------------------------------------------------------------------


def _with_load_columns(accepted: pl.DataFrame, contract: DatasetContract, landing: LandingFile, loaded_at: datetime) -> pl.DataFrame:
    extras = [name for name in accepted.columns if name not in contract.column_names and name != SOURCE_ROW]
    return accepted.select(
        [pl.col(name) for name in contract.column_names]
        + [
            pl.lit(landing.batch, pl.Utf8).alias("_batch"),
            pl.lit(landing.batch_date, pl.Date).alias("_batch_date"),
            pl.lit(landing.relative_path, pl.Utf8).alias("_source_file"),
            pl.col(SOURCE_ROW).cast(pl.Int64),
            pl.lit(loaded_at, raw_layout.LOAD_COLUMNS["_loaded_at"]).alias("_loaded_at"),
        ]
        + [pl.col(name) for name in extras]
    )


def ingest_file(
    landing: LandingFile,
    raw_dir: Path,
    loaded_at: datetime | None = None,
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[str], None] | None = None,
) -> FileResult:
    """Check one landing file against its contract and write its raw and quarantine output.

    ``progress`` (a logger's info, say) hears of every chunk read, so a long file shows it moves.
    """
    contract = landing.contract
    loaded_at = loaded_at or datetime.now(timezone.utc)
    columns = landing_columns(landing.path)
    check_header(contract, landing.path, columns, header_as_read(landing.path))
    absent = [name for name in contract.column_names if name not in columns]  # optional config columns
    source = SourceContext(contract.system, contract.name, landing.batch, landing.relative_path, loaded_at)

    text = scan_text(landing.path, contract).with_columns([pl.lit(None, pl.Utf8).alias(name) for name in absent])
    text = text.with_row_index(SOURCE_ROW, offset=1)
    writer = _RawWriter(raw_output(raw_dir, landing))
    quarantine_parts: list[pl.DataFrame] = []
    key_parts: list[pl.DataFrame] = []
    outcome = FileResult(source_file=landing.relative_path, batch=landing.batch)
    try:
        try:
            for chunk in text.collect_batches(chunk_size=chunk_rows):
                chunk = chunk.with_columns(pl.col(SOURCE_ROW).cast(pl.Int64))
                checked = check_chunk(contract, chunk, source)
                writer.write(_with_load_columns(checked.accepted, contract, landing, loaded_at))
                if checked.quarantine.height:
                    quarantine_parts.append(checked.quarantine)
                key_parts.append(key_columns(contract, chunk))
                outcome.rows_read += chunk.height
                outcome.rows_rejected += checked.rejected_rows
                if progress is not None:
                    progress(f"{landing.relative_path}: {outcome.rows_read:,} rows read, {outcome.rows_rejected:,} quarantined so far")
        except pl.exceptions.PolarsError as error:
            raise ContractError(
                f"{landing.path}: cannot read the file as {landing.format.upper()} ({error})",
                path=landing.path,
                dataset=f"{contract.system}/{contract.name}",
            ) from error

        duplicates = duplicate_key_violations(contract, pl.concat(key_parts)) if key_parts else None
        if duplicates is not None and duplicates.height:
            already_rejected = (
                pl.concat([p.select("source_row") for p in quarantine_parts]).to_series()
                if quarantine_parts
                else pl.Series("source_row", [], pl.Int64)
            )
            newly_rejected = duplicates.filter(~pl.col(SOURCE_ROW).is_in(already_rejected.implode()))
            outcome.rows_rejected += newly_rejected[SOURCE_ROW].n_unique()
            quarantine_parts.append(_duplicate_quarantine(landing, source, text, duplicates, columns + absent))
            writer.drop_rows(duplicates[SOURCE_ROW])
        outcome.raw_file = writer.commit()
    except BaseException:
        writer.abort()
        raise
    outcome.rows_accepted = writer.rows

    quarantine = pl.concat(quarantine_parts).sort("source_row", maintain_order=True) if quarantine_parts else None
    target = quarantine_output(raw_dir, landing)
    if quarantine is not None and quarantine.height:
        outcome.quarantine_file = write_parquet_atomic(quarantine, target)
        counts = quarantine.group_by("rule").len().sort("len", "rule", descending=[True, False])
        outcome.quarantined_by_rule = dict(counts.iter_rows())
        outcome.quarantine_examples = _examples(quarantine)
    else:
        target.unlink(missing_ok=True)
    return outcome


def _duplicate_quarantine(
    landing: LandingFile, source: SourceContext, text: pl.LazyFrame, duplicates: pl.DataFrame, landing_cols: list[str]
) -> pl.DataFrame:
    # The rows themselves are read again (only these rows) for their record_json.
    rows = (
        text.filter(pl.col(SOURCE_ROW).is_in(duplicates[SOURCE_ROW].cast(pl.UInt32).implode()))
        .collect()
        .with_columns(pl.col(SOURCE_ROW).cast(pl.Int64))
        .join(duplicates, on=SOURCE_ROW, how="inner")
    )
    key_label = ", ".join(landing.contract.key)
    return quarantine_rows(
        rows, source, RULE_DUPLICATE_KEY, key_label, pl.col("key_value"), pl.col("detail"), landing_cols
    )


# --- idempotence (CRM and HR batches) -----------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _already_ingested(raw_dir: Path, landing: LandingFile) -> tuple[bool, dict | None]:
    """(done, marker): done when the marker matches the landing file and its outputs exist."""
    marker_file = marker_path(raw_dir, landing)
    if not marker_file.exists():
        return False, None
    try:
        marker = json.loads(marker_file.read_text())
    except (OSError, ValueError):
        return False, None
    outputs = [Path(raw_dir) / p for p in (marker.get("raw_file"), marker.get("quarantine_file")) if p]
    if not all(p.exists() for p in outputs):
        return False, marker
    stat = landing.path.stat()
    if marker.get("size") == stat.st_size and marker.get("mtime_ns") == stat.st_mtime_ns:
        return True, marker
    if marker.get("size") == stat.st_size and marker.get("sha256") == _sha256(landing.path):
        # Same bytes, touched or copied again: remember the new timestamp, skip the hashing next time.
        marker["mtime_ns"] = stat.st_mtime_ns
        _write_marker(marker_file, marker)
        return True, marker
    return False, marker


def _write_marker(target: Path, marker: dict) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary(target)
    try:
        temporary.write_text(json.dumps(marker, indent=2, sort_keys=True))
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _record_done(raw_dir: Path, landing: LandingFile, outcome: FileResult, loaded_at: datetime) -> None:
    stat = landing.path.stat()
    raw_dir = Path(raw_dir)
    _write_marker(
        marker_path(raw_dir, landing),
        {
            "source_file": landing.relative_path,
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "sha256": _sha256(landing.path),
            "rows_read": outcome.rows_read,
            "rows_accepted": outcome.rows_accepted,
            "rows_rejected": outcome.rows_rejected,
            "quarantined_by_rule": outcome.quarantined_by_rule,
            "raw_file": outcome.raw_file.relative_to(raw_dir).as_posix() if outcome.raw_file else None,
            "quarantine_file": outcome.quarantine_file.relative_to(raw_dir).as_posix() if outcome.quarantine_file else None,
            "loaded_at": loaded_at.isoformat(),
        },
    )


# --- one dataset --------------------------------------------------------------------------


def ingest_dataset(
    contract: DatasetContract,
    landing_dir: Path,
    config_dir: Path,
    raw_dir: Path,
    loaded_at: datetime | None = None,
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[str], None] | None = None,
) -> IngestResult:
    """Ingest every landing file of ``contract`` that is not in raw yet; see the module docstring.

    ``progress`` receives a line per chunk of each file read (see ``ingest_file``).
    """
    raw_dir = Path(raw_dir)
    loaded_at = loaded_at or datetime.now(timezone.utc)
    result = IngestResult(system=contract.system, dataset=contract.name)
    write_empty_schemas(raw_dir, contract)
    files = discover(contract, Path(landing_dir), Path(config_dir))
    is_config = contract.system == CONFIG_SYSTEM
    for landing in files:
        marker = None
        if not is_config:
            done, marker = _already_ingested(raw_dir, landing)
            if done:
                result.files_skipped.append(landing.relative_path)
                continue
        outcome = ingest_file(landing, raw_dir, loaded_at, chunk_rows, progress)
        outcome.replaced = marker is not None
        if not is_config:
            _record_done(raw_dir, landing, outcome, loaded_at)
        result.add(outcome)
    if is_config:
        _remove_stale_config(raw_dir, contract, keep=result.raw_files + result.quarantine_files)
    return result


def _remove_stale_config(raw_dir: Path, contract: DatasetContract, keep: list[Path]) -> None:
    """Configuration is replaced wholesale: drop outputs of files that are no longer there."""
    keep_set = {Path(p) for p in keep}
    for folder in (
        raw_layout.batch_dir(raw_dir, contract, raw_layout.CONFIG_BATCH),
        raw_layout.quarantine_batch_dir(raw_dir, contract, raw_layout.CONFIG_BATCH),
    ):
        if folder.is_dir():
            for path in folder.glob("*.parquet"):
                if path not in keep_set:
                    path.unlink()


# --- reading raw back (for checks) --------------------------------------------------------


def newest_batch(raw_dir: Path, contract: DatasetContract) -> str | None:
    """The newest batch of a dataset in raw (``current`` for configuration), or None."""
    root = raw_layout.dataset_dir(raw_dir, contract)
    batches = sorted(p.name.removeprefix("batch=") for p in root.glob("batch=*") if p.is_dir()) if root.is_dir() else []
    if contract.system == CONFIG_SYSTEM:
        return raw_layout.CONFIG_BATCH if raw_layout.CONFIG_BATCH in batches else None
    dated = [b for b in batches if b != raw_layout.CONFIG_BATCH]
    return max(dated, key=date.fromisoformat) if dated else None


def read_raw_batch(raw_dir: Path, contract: DatasetContract, batch: str) -> pl.DataFrame:
    """Every accepted row of one batch (all its files; extra columns unioned by name)."""
    files = sorted(raw_layout.batch_dir(raw_dir, contract, batch).glob("*.parquet"))
    frames = [pl.read_parquet(f) for f in files]
    if not frames:
        return pl.DataFrame(schema=raw_layout.raw_schema(contract))
    return pl.concat(frames, how="diagonal_relaxed")
