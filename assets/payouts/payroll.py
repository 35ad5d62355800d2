"""The payroll import variant of the payout extract, as pure functions.

Payroll systems take a narrow file per payroll (one per country and currency):
``employee_id, earning_code, amount, currency, pay_date``. The lines are the
payout extract's lines (already rounded once); nothing is recomputed, so the
payroll files of a period add up to the payout file to the cent.

Layout, in the payout extract's folder: ``payroll_<period>_<COUNTRY>_<CUR>.csv``
and ``payroll_manifest.json`` (row count and totals per file and earning code,
SHA-256 per file, run id, source batches, checks passed).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from assets.payouts.extract import (
    EXTRACT_SCHEMA_VERSION,
    PayoutLine,
    atomic_write,
    format_amount,
    manifest_bytes,
    sha256_hex,
)

PAYROLL_COLUMNS = ("employee_id", "earning_code", "amount", "currency", "pay_date")
PAYROLL_MANIFEST = "payroll_manifest.json"
UNKNOWN_COUNTRY = "XX"  # a payee whose HR record has no country


def payroll_file_name(period: str, country: str | None, currency: str) -> str:
    return f"payroll_{period}_{country or UNKNOWN_COUNTRY}_{currency}.csv"


def payroll_files(lines: list[PayoutLine], period: str) -> dict[str, bytes]:
    """One CSV per (country, currency), rows in the extract's order."""
    groups: dict[str, list[PayoutLine]] = defaultdict(list)
    for line in lines:
        groups[payroll_file_name(period, line.country, line.currency)].append(line)
    files = {}
    for name in sorted(groups):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(PAYROLL_COLUMNS)
        for line in groups[name]:
            writer.writerow(
                [
                    line.employee_id,
                    line.earning_code,
                    format_amount(line.amount, line.currency),
                    line.currency,
                    line.pay_date.isoformat(),
                ]
            )
        files[name] = buffer.getvalue().encode("utf-8")
    return files


def payroll_manifest(
    lines: list[PayoutLine],
    files: dict[str, bytes],
    period: str,
    calculation_id: str,
    checks_passed: list[str],
    run_id: str | None = None,
    source_batches: list[str] | None = None,
) -> dict:
    per_file: dict[str, dict] = {}
    by_name: dict[str, list[PayoutLine]] = defaultdict(list)
    for line in lines:
        by_name[payroll_file_name(period, line.country, line.currency)].append(line)
    for name, content in files.items():
        group = by_name[name]
        currency = group[0].currency
        by_code: dict[str, Decimal] = defaultdict(Decimal)
        for line in group:
            by_code[line.earning_code] += line.amount
        per_file[name] = {
            "sha256": sha256_hex(content),
            "bytes": len(content),
            "row_count": len(group),
            "country": group[0].country or UNKNOWN_COUNTRY,
            "currency": currency,
            "total": format_amount(sum((line.amount for line in group), Decimal(0)), currency),
            "totals_by_earning_code": {code: format_amount(v, currency) for code, v in sorted(by_code.items())},
        }
    return {
        "schema_version": EXTRACT_SCHEMA_VERSION,
        "period": period,
        "calculation_id": calculation_id,
        "run_id": run_id,
        "source_batches": sorted(source_batches or []),
        "row_count": len(lines),
        "columns": list(PAYROLL_COLUMNS),
        "files": per_file,
        "checks_passed": sorted(checks_passed),
    }


def write_payroll(
    lines: list[PayoutLine],
    out_dir: Path,
    period: str,
    calculation_id: str,
    checks_passed: list[str],
    run_id: str | None = None,
    source_batches: list[str] | None = None,
) -> dict:
    """Write the payroll files, then their manifest, under ``out_dir``; return the manifest."""
    out_dir = Path(out_dir)
    files = payroll_files(lines, period)
    for name, content in files.items():
        atomic_write(out_dir / name, content)
    manifest = payroll_manifest(lines, files, period, calculation_id, checks_passed, run_id, source_batches)
    atomic_write(out_dir / PAYROLL_MANIFEST, manifest_bytes(manifest))
    return manifest
