"""Writing the forecast files: stable bytes (sorted rows, no statistics, no timestamps), atomically."""

from __future__ import annotations

import io
import json
from pathlib import Path

import polars as pl

from assets.payouts.extract import atomic_write, sha256_hex

AMOUNT = pl.Decimal(38, 2)


def to_amounts(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Estimated amounts (float64 inside the models) written as DECIMAL(38,2), rounded to the cent."""
    return frame.with_columns([pl.col(c).round(2).cast(AMOUNT) for c in columns if c in frame.columns])


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd", statistics=False)
    return buffer.getvalue()


def write_parquet(frame: pl.DataFrame, path: Path) -> str:
    content = parquet_bytes(frame)
    atomic_write(Path(path), content)
    return sha256_hex(content)


def write_bytes(content: bytes, path: Path) -> str:
    atomic_write(Path(path), content)
    return sha256_hex(content)


def write_json(document: dict, path: Path) -> str:
    return write_bytes((json.dumps(document, indent=2, sort_keys=True, default=str) + "\n").encode("utf-8"), path)
