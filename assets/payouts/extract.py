"""The payout extract for finance (SPEC §6), as pure functions.

Input: the period's payout file lines as the warehouse holds them
(``fct_payout_file_line``, read by assets/payouts/warehouse.py): one line per
payee, earning code and period, already summed and rounded once, half away
from zero, to the currency's minor unit, with its pay date (SPEC §5-§6; the
lines that round to 0.00 are not among them). Nothing is summed, rounded or
dropped here: the lines are written as CSV and Parquet with a manifest (row
count, totals per currency and per currency and earning code, SHA-256 of each
file, run id, source batches, checks passed). Columns: docs/payout_extract.md.

Files are a pure function of their input: no wall-clock time or random id is
written into them, so a rerun on the same data gives the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl

from core.money import MINOR_UNITS

EXTRACT_SCHEMA_VERSION = "2"

# The columns of the payout extract, in file order (documented in docs/payout_extract.md).
EXTRACT_COLUMNS = (
    "period",
    "employee_id",
    "full_name",
    "cost_center",
    "earning_code",
    "currency",
    "amount",
    "pay_date",
    "plan_id",
    "run_id",
    "calculation_id",
    "reason",
    "deal_ids",
    "country",
)

@dataclass(frozen=True)
class PayoutLine:
    """One line of the payout file: a row of fct_payout_file_line (plus the run's ids)."""

    period: str
    employee_id: str
    full_name: str
    cost_center: str | None
    earning_code: str
    currency: str
    amount: Decimal  # rounded to the currency's minor unit (in the warehouse)
    pay_date: date  # the mart's pay date, or publish's explicit --pay-date
    plan_id: str
    calculation_id: str
    run_id: str = ""  # the Dagster run that published the file; empty in a draft
    reason: str | None = None
    deal_ids: str | None = None
    country: str | None = None
    exact_amount: Decimal | None = None  # the unrounded sum (ledger only, not in the files)


def format_amount(amount: Decimal, currency: str) -> str:
    """The amount as text with exactly the currency's minor-unit decimals."""
    return f"{amount:.{MINOR_UNITS[currency]}f}"


def totals(lines: list[PayoutLine]) -> dict:
    """Totals per currency and per currency and earning code, as exact decimal strings."""
    by_currency: dict[str, Decimal] = defaultdict(Decimal)
    by_code: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for line in lines:
        by_currency[line.currency] += line.amount
        by_code[line.currency][line.earning_code] += line.amount
    return {
        "by_currency": {c: format_amount(by_currency[c], c) for c in sorted(by_currency)},
        "by_currency_and_earning_code": {
            c: {code: format_amount(v, c) for code, v in sorted(by_code[c].items())}
            for c in sorted(by_code)
        },
    }


def csv_bytes(lines: list[PayoutLine]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXTRACT_COLUMNS)
    for line in lines:
        writer.writerow(
            [
                line.period,
                line.employee_id,
                line.full_name,
                line.cost_center or "",
                line.earning_code,
                line.currency,
                format_amount(line.amount, line.currency),
                line.pay_date.isoformat(),
                line.plan_id,
                line.run_id,
                line.calculation_id,
                line.reason or "",
                line.deal_ids or "",
                line.country or "",
            ]
        )
    return buffer.getvalue().encode("utf-8")


def parquet_bytes(lines: list[PayoutLine]) -> bytes:
    scale = max((MINOR_UNITS[line.currency] for line in lines), default=2)
    frame = pl.DataFrame(
        {
            "period": [line.period for line in lines],
            "employee_id": [line.employee_id for line in lines],
            "full_name": [line.full_name for line in lines],
            "cost_center": [line.cost_center for line in lines],
            "earning_code": [line.earning_code for line in lines],
            "currency": [line.currency for line in lines],
            "amount": [line.amount for line in lines],
            "pay_date": [line.pay_date for line in lines],
            "plan_id": [line.plan_id for line in lines],
            "run_id": [line.run_id for line in lines],
            "calculation_id": [line.calculation_id for line in lines],
            "reason": [line.reason for line in lines],
            "deal_ids": [line.deal_ids for line in lines],
            "country": [line.country for line in lines],
        },
        schema={
            "period": pl.Utf8,
            "employee_id": pl.Utf8,
            "full_name": pl.Utf8,
            "cost_center": pl.Utf8,
            "earning_code": pl.Utf8,
            "currency": pl.Utf8,
            "amount": pl.Decimal(38, scale),
            "pay_date": pl.Date,
            "plan_id": pl.Utf8,
            "run_id": pl.Utf8,
            "calculation_id": pl.Utf8,
            "reason": pl.Utf8,
            "deal_ids": pl.Utf8,
            "country": pl.Utf8,
        },
    )
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd", statistics=False)
    return buffer.getvalue()


def atomic_write(path: Path, content: bytes) -> None:
    """Write to a temporary file beside ``path``, then rename: never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def extract_file_names(period: str) -> tuple[str, str]:
    """The names of the payout extract's data files (CSV, Parquet)."""
    return f"payout_{period}.csv", f"payout_{period}.parquet"


def extract_files(lines: list[PayoutLine], period: str) -> dict[str, bytes]:
    """The payout extract's data files by name (CSV and Parquet, the same rows)."""
    csv_name, parquet_name = extract_file_names(period)
    return {csv_name: csv_bytes(lines), parquet_name: parquet_bytes(lines)}


def manifest_bytes(manifest: dict) -> bytes:
    return (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()


def extract_manifest(
    lines: list[PayoutLine],
    files: dict[str, bytes],
    period: str,
    calculation_id: str,
    checks_passed: list[str],
    run_id: str | None = None,
    source_batches: list[str] | None = None,
    balances_owed: list[dict] | None = None,
) -> dict:
    """The manifest of an extract: counts, totals, a SHA-256 per file, provenance, and the
    balances still owed by payees whose employment has ended (for finance to recover or write
    off; never silently dropped: SPEC §5)."""
    manifest = {
        "schema_version": EXTRACT_SCHEMA_VERSION,
        "period": period,
        "calculation_id": calculation_id,
        "run_id": run_id,
        "source_batches": sorted(source_batches or []),
        "row_count": len(lines),
        "payee_count": len({line.employee_id for line in lines}),
        "totals": totals(lines),
        "files": {name: {"sha256": sha256_hex(content), "bytes": len(content)} for name, content in files.items()},
        "columns": list(EXTRACT_COLUMNS),
        "checks_passed": sorted(checks_passed),
        "balances_owed_at_termination": [
            {
                "employee_id": owed["employee_id"],
                "currency": owed["currency"],
                "balance_owed": format_amount(owed["balance_owed"], owed["currency"]),
                "termination_date": owed["termination_date"].isoformat() if owed["termination_date"] else None,
            }
            for owed in sorted(balances_owed or [], key=lambda o: (o["employee_id"], o["currency"]))
        ],
    }
    return manifest


def write_extract(
    lines: list[PayoutLine],
    out_dir: Path,
    period: str,
    calculation_id: str,
    checks_passed: list[str],
    run_id: str | None = None,
    source_batches: list[str] | None = None,
    balances_owed: list[dict] | None = None,
) -> dict:
    """Write ``payout_<period>.csv``, ``.parquet`` and ``manifest.json``; return the manifest.

    The data files are written before the manifest, so a manifest never names
    a file that is not there.
    """
    out_dir = Path(out_dir)
    files = extract_files(lines, period)
    for name, content in files.items():
        atomic_write(out_dir / name, content)
    manifest = extract_manifest(lines, files, period, calculation_id, checks_passed, run_id, source_batches, balances_owed)
    atomic_write(out_dir / "manifest.json", manifest_bytes(manifest))
    return manifest


def read_extract_amounts(out_dir: Path, period: str) -> dict[str, list[tuple[str, Decimal]]]:
    """(currency, amount) of every line of the period's written CSV and Parquet files, by file name,
    as finance would read them (the CSV's text amounts as exact decimals). Raises
    ``FileNotFoundError`` naming a missing file."""
    out_dir = Path(out_dir)
    read: dict[str, list[tuple[str, Decimal]]] = {}
    for name in extract_file_names(period):
        path = out_dir / name
        if not path.is_file():
            raise FileNotFoundError(f"{path} does not exist")
        if name.endswith(".csv"):
            with path.open(newline="", encoding="utf-8") as handle:
                read[name] = [(row["currency"], Decimal(row["amount"])) for row in csv.DictReader(handle)]
        else:
            frame = pl.read_parquet(path, columns=["currency", "amount"])
            read[name] = [(currency, Decimal(amount)) for currency, amount in frame.iter_rows()]
    return read
