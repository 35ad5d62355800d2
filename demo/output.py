"""Landing-file text and the chunked writers.

Every value is written as the text a CSV export would carry (SPEC §2): dates
``YYYY-MM-DD``, datetimes Salesforce style ``2026-11-27T10:15:00.000+0000``,
booleans ``true``/``false``, money as plain decimals built from integer cents (no
binary floating point anywhere). Parquet files hold the same text in Utf8
columns; an empty value is a null in Parquet and an empty field in CSV.

A :class:`ChunkedWriter` streams one object of one batch to disk: it rotates to
``<Stem>-00001.<ext>``, ``<Stem>-00002.<ext>``, ... every ``chunk_rows`` rows and,
when everything fit into one file, names it plainly ``<Stem>.<ext>``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.000+0000"
SALESFORCE_ID_LENGTH = 18


# ---------------------------------------------------------------- text expressions


def sf_id(prefix: str, number: pl.Expr | str) -> pl.Expr:
    """An 18-character Salesforce-looking id: the key prefix, then a zero-padded number."""
    expr = pl.col(number) if isinstance(number, str) else number
    digits = SALESFORCE_ID_LENGTH - len(prefix)
    return pl.format(prefix + "{}", expr.cast(pl.Int64).cast(pl.Utf8).str.zfill(digits))


def sf_id_text(prefix: str, number: int) -> str:
    return prefix + str(int(number)).zfill(SALESFORCE_ID_LENGTH - len(prefix))


def iso_datetime(seconds: pl.Expr | str) -> pl.Expr:
    """Epoch seconds -> ``2026-11-27T10:15:00.000+0000``."""
    expr = pl.col(seconds) if isinstance(seconds, str) else seconds
    return pl.from_epoch(expr.cast(pl.Int64), time_unit="s").dt.strftime(DATETIME_FORMAT)


def iso_date(day_number: pl.Expr | str) -> pl.Expr:
    """Days since 1970-01-01 -> ``YYYY-MM-DD``."""
    expr = pl.col(day_number) if isinstance(day_number, str) else day_number
    return expr.cast(pl.Int32).cast(pl.Date).dt.strftime("%Y-%m-%d")


def money(cents: pl.Expr | str) -> pl.Expr:
    """Integer cents -> a plain decimal with two places (``-12.05``, ``12345.00``)."""
    expr = pl.col(cents) if isinstance(cents, str) else cents
    expr = expr.cast(pl.Int64)
    magnitude = expr.abs()
    sign = pl.when(expr < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.concat_str(
        [
            sign,
            (magnitude // 100).cast(pl.Utf8),
            pl.lit("."),
            (magnitude % 100).cast(pl.Utf8).str.zfill(2),
        ]
    )


def boolean(flag: pl.Expr | str) -> pl.Expr:
    expr = pl.col(flag) if isinstance(flag, str) else flag
    return pl.when(expr).then(pl.lit("true")).otherwise(pl.lit("false"))


def labels(values: list[str] | tuple[str, ...], codes) -> pl.Series:
    """Look integer codes up in a list of labels (vectorised)."""
    return pl.Series(values=list(values), dtype=pl.Utf8).gather(pl.Series(codes, dtype=pl.Int64))


def as_text_frame(rows: list[dict], columns: tuple[str, ...]) -> pl.DataFrame:
    """Small objects built row by row (people, products, rates) -> an all-Utf8 frame."""
    data = {c: [None if r.get(c) in (None, "") else str(r[c]) for r in rows] for c in columns}
    return pl.DataFrame(data, schema={c: pl.Utf8 for c in columns})


# ---------------------------------------------------------------- writers


class ChunkedWriter:
    """Streams all-Utf8 frames of one landing object into one or more files."""

    def __init__(self, directory: Path, stem: str, columns: tuple[str, ...], fmt: str, chunk_rows: int):
        if fmt not in ("csv", "parquet"):
            raise ValueError(f"unknown file format {fmt!r}")
        if chunk_rows < 1:
            raise ValueError("chunk_rows must be positive")
        self.directory = Path(directory)
        self.stem = stem
        self.columns = tuple(columns)
        self.fmt = fmt
        self.chunk_rows = chunk_rows
        self.rows = 0
        self._files: list[Path] = []
        self._rows_in_file = 0
        self._handle = None  # open binary file (csv) or ParquetWriter
        self._schema = pa.schema([(c, pa.string()) for c in self.columns])

    def _chunk_path(self, number: int) -> Path:
        return self.directory / f"{self.stem}-{number:05d}.{self.fmt}"

    def _open_next(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self._chunk_path(len(self._files) + 1)
        self._files.append(path)
        self._rows_in_file = 0
        if self.fmt == "csv":
            self._handle = path.open("wb")
        else:
            self._handle = pq.ParquetWriter(path, self._schema, compression="zstd")

    def _close_current(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def _write_piece(self, piece: pl.DataFrame) -> None:
        if self.fmt == "csv":
            piece.write_csv(self._handle, include_header=self._rows_in_file == 0)
        else:
            self._handle.write_table(piece.to_arrow().cast(self._schema))
        self._rows_in_file += piece.height
        self.rows += piece.height

    def write(self, frame: pl.DataFrame) -> None:
        if tuple(frame.columns) != self.columns:
            raise ValueError(f"{self.stem}: columns {frame.columns} != {list(self.columns)}")
        offset = 0
        while offset < frame.height:
            if self._handle is None:
                self._open_next()
            room = self.chunk_rows - self._rows_in_file
            piece = frame.slice(offset, room)
            self._write_piece(piece)
            offset += piece.height
            if self._rows_in_file >= self.chunk_rows:
                self._close_current()

    def close(self) -> list[Path]:
        """Finish; an object without rows still gets a header-only file."""
        self._close_current()
        if not self._files:
            self._open_next()
            self._write_piece(pl.DataFrame(schema={c: pl.Utf8 for c in self.columns}))
            self._close_current()
        if len(self._files) == 1:
            plain = self.directory / f"{self.stem}.{self.fmt}"
            self._files[0].rename(plain)
            self._files = [plain]
        return list(self._files)
