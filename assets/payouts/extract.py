"""The payout extract for finance (SPEC §6), as pure functions.

Input: the warehouse's earnings for one pay period at full precision
(DECIMAL(38,10), one row per payee, plan component and period). Output: one
line per payee, earning code and period, each rounded once, half away from
zero, to the currency's minor unit (SPEC §5), written as CSV and Parquet with a
manifest (row count, totals per currency and per currency and earning code,
SHA-256 of each file).

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

from assets.currencies import MINOR_UNITS, round_money

EXTRACT_SCHEMA_VERSION = "1"

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
    "calculation_id",
)


@dataclass(frozen=True)
class EarningRow:
    """One unrounded earnings amount from the warehouse."""

    employee_id: str
    full_name: str
    cost_center: str | None
    earning_code: str
    currency: str
    plan_id: str
    amount: Decimal


@dataclass(frozen=True)
class PayoutLine:
    period: str
    employee_id: str
    full_name: str
    cost_center: str | None
    earning_code: str
    currency: str
    amount: Decimal  # rounded to the currency's minor unit
    pay_date: date
    plan_id: str
    calculation_id: str


def default_pay_date(period: str) -> date:
    """Commissions for a period are paid on the 15th of the following month."""
    year, month = (int(part) for part in period.split("-"))
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(year, month, 15)


def payout_lines(
    earnings: list[EarningRow], period: str, pay_date: date, calculation_id: str
) -> list[PayoutLine]:
    """Sum earnings per payee, earning code and currency, then round each line once.

    A payee paid under two plans in one period (a mid-period plan change) gets
    one line per earning code; ``plan_id`` lists both plans, sorted, joined by
    ``+``.
    """
    amounts: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    plans: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    payee: dict[str, tuple[str, str | None]] = {}
    for row in earnings:
        key = (row.employee_id, row.earning_code, row.currency)
        amounts[key] += row.amount
        plans[key].add(row.plan_id)
        payee[row.employee_id] = (row.full_name, row.cost_center)
    lines = []
    for key in sorted(amounts):
        employee_id, earning_code, currency = key
        full_name, cost_center = payee[employee_id]
        lines.append(
            PayoutLine(
                period=period,
                employee_id=employee_id,
                full_name=full_name,
                cost_center=cost_center,
                earning_code=earning_code,
                currency=currency,
                amount=round_money(amounts[key], currency),
                pay_date=pay_date,
                plan_id="+".join(sorted(plans[key])),
                calculation_id=calculation_id,
            )
        )
    return lines


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


def _csv_bytes(lines: list[PayoutLine]) -> bytes:
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
                line.calculation_id,
            ]
        )
    return buffer.getvalue().encode("utf-8")


def _parquet_bytes(lines: list[PayoutLine]) -> bytes:
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
            "calculation_id": [line.calculation_id for line in lines],
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
            "calculation_id": pl.Utf8,
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


def write_extract(
    lines: list[PayoutLine],
    out_dir: Path,
    period: str,
    calculation_id: str,
    checks_passed: list[str],
) -> dict:
    """Write ``payout_<period>.csv``, ``.parquet`` and ``manifest.json``; return the manifest.

    The data files are written before the manifest, so a manifest never names
    a file that is not there.
    """
    out_dir = Path(out_dir)
    files = {
        f"payout_{period}.csv": _csv_bytes(lines),
        f"payout_{period}.parquet": _parquet_bytes(lines),
    }
    for name, content in files.items():
        atomic_write(out_dir / name, content)
    manifest = {
        "schema_version": EXTRACT_SCHEMA_VERSION,
        "period": period,
        "calculation_id": calculation_id,
        "row_count": len(lines),
        "payee_count": len({line.employee_id for line in lines}),
        "totals": totals(lines),
        "files": {name: {"sha256": sha256_hex(content), "bytes": len(content)} for name, content in files.items()},
        "columns": list(EXTRACT_COLUMNS),
        "checks_passed": sorted(checks_passed),
    }
    atomic_write(out_dir / "manifest.json", (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
    return manifest
