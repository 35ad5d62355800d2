"""Where payout files and the ledger live under the export folder (docs/ledger.md).

    <export>/payouts/<period>/                      draft extract, rewritten by every run
    <export>/payouts/published/<period>/v<N>/       published version N of a period (immutable)
    <export>/payouts/ledger/<table>/<period>_v<NNNN>.parquet
                                                    the ledger: publications, lines, credits

The warehouse is rebuilt on every run; the ledger and the published files are
not part of it and are never rewritten once recorded.
"""

from __future__ import annotations

import re
from pathlib import Path

LEDGER_TABLES = ("publications", "lines", "credits")
PERIOD_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def check_period(period: str) -> str:
    if not PERIOD_PATTERN.match(period or ""):
        raise ValueError(f"A pay period is written YYYY-MM (e.g. 2026-10), not {period!r}.")
    return period


def payouts_root(export_dir: Path) -> Path:
    return Path(export_dir) / "payouts"


def draft_dir(export_dir: Path, period: str) -> Path:
    """The draft extract of a period, rewritten by every pipeline run."""
    return payouts_root(export_dir) / check_period(period)


def published_period_dir(export_dir: Path, period: str) -> Path:
    return payouts_root(export_dir) / "published" / check_period(period)


def published_dir(export_dir: Path, period: str, version: int) -> Path:
    """The folder of published version ``version`` (1, 2, ...) of a period."""
    return published_period_dir(export_dir, period) / f"v{version}"


def ledger_dir(export_dir: Path) -> Path:
    return payouts_root(export_dir) / "ledger"


def ledger_file(export_dir: Path, table: str, period: str, version: int) -> Path:
    if table not in LEDGER_TABLES:
        raise ValueError(f"unknown ledger table {table!r}")
    return ledger_dir(export_dir) / table / f"{check_period(period)}_v{version:04d}.parquet"


def previous_period(period: str) -> str:
    year, month = (int(part) for part in check_period(period).split("-"))
    year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return f"{year:04d}-{month:02d}"
