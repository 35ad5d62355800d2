"""Where payout files and the ledger live under the export folder (docs/ledger.md).

    <export>/payouts/<period>/                      draft extract, rewritten by every run
    <export>/payouts/published/<period>/v<N>/       published version N of a period (immutable)
    <export>/payouts/ledger/<table>/<period>_v<NNNN>.parquet
                                                    the ledger: publications, lines, credits
    <export>/payouts/ledger/approvals/<period>_a<NNNN>.parquet
                                                    approval N of a period (docs/payment_workflow.md#approval)

The warehouse is rebuilt on every run; the ledger and the published files are
not part of it and are never rewritten once recorded.
"""

from __future__ import annotations

from pathlib import Path

from core.periods import check_period

LEDGER_TABLES = ("publications", "lines", "credits")
# Not one of LEDGER_TABLES (the tables dbt reads as the source `ledger`): the approvals are read
# by the publish step and the CLI only. One file per approval, numbered per period, never rewritten.
APPROVALS_TABLE = "approvals"


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


def approval_file(export_dir: Path, period: str, number: int) -> Path:
    """The file of the ``number``-th approval (1, 2, ...) recorded for ``period``."""
    return ledger_dir(export_dir) / APPROVALS_TABLE / f"{check_period(period)}_a{number:04d}.parquet"
