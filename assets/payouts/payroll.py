"""The payroll files of a pay period and their manifest, as pure functions (docs/payroll.md).

Beside the payout extract (which keeps every line for finance), one file per
payroll (HR country) and currency:

* always the generic file ``payroll_<period>_<COUNTRY>_<CUR>.csv``
  (``employee_id, earning_code, amount, currency, pay_date``);
* for a country with a payroll in ``dim_payroll`` (config ``payrolls.csv``),
  the adapter's file ``<adapter>_<period>_<COUNTRY>_<CUR>.csv`` in its layout
  (assets/payouts/payroll_layouts.py), with the codes of ``dim_payroll_code``
  (config ``payroll_codes.csv``).

Every file holds the payroll lines of assets/payouts/payroll_lines.py: netted
per payee and payroll code, deductions taken from the payee's positive codes,
never a negative amount; each file's total equals the payout file's total of
its payees to the cent (checked here, and recorded in the manifest).
``payroll_manifest.json`` lists every file: adapter, layout and its version,
columns, SHA-256, bytes, rows, payees, total and totals per payroll code, the
payout file's total beside it; run id, source batches, checks passed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from assets.payouts.extract import PayoutLine, atomic_write, format_amount, manifest_bytes, sha256_hex
from assets.payouts.payroll_layouts import (
    ADAPTERS,
    COLUMNS,
    GENERIC,
    IDENTITY_MAP,
    LAYOUT_NAMES,
    LAYOUT_VERSIONS,
    NO_PAYROLLS,
    WRITERS,
    Payroll,
    PayrollConfig,
    payroll_file_name,
)
from assets.payouts.payroll_lines import UNKNOWN_COUNTRY, PayrollLine, payroll_lines

PAYROLL_MANIFEST = "payroll_manifest.json"
# 3: the files hold netted payroll lines (never negative), adapter files beside the generic ones
PAYROLL_MANIFEST_VERSION = "3"


@dataclass(frozen=True)
class PayrollFile:
    name: str
    adapter: str
    country: str
    currency: str
    payroll: Payroll | None
    lines: list[PayrollLine]
    payout_total: Decimal  # the payout file's total of the same payees and currency
    content: bytes


def build_payroll_files(lines: list[PayoutLine], period: str, config: PayrollConfig = NO_PAYROLLS) -> list[PayrollFile]:
    """Every payroll file of ``lines``, by name. Raises ValueError when a file's total is not the
    payout file's (it cannot be: payroll_lines only moves amounts between a payee's codes)."""
    groups: dict[tuple[str, str], list[PayoutLine]] = defaultdict(list)
    for line in lines:
        groups[(line.country or UNKNOWN_COUNTRY, line.currency)].append(line)
    files = []
    for (country, currency), group in sorted(groups.items()):
        payout_total = sum((line.amount for line in group), Decimal(0))
        payroll = config.payroll_of(country)
        layouts = [(GENERIC, IDENTITY_MAP)]
        if payroll is not None:
            layouts.append((payroll.adapter, config.codes.get(payroll.adapter, {})))
        for adapter, code_map in layouts:
            netted = payroll_lines(group, code_map)
            total = sum((line.amount for line in netted), Decimal(0))
            if total != payout_total:
                raise ValueError(f"{adapter} {country} {currency}: payroll total {total} != payout total {payout_total}")
            files.append(PayrollFile(
                payroll_file_name(adapter, period, country, currency), adapter, country, currency, payroll, netted,
                payout_total, WRITERS[adapter](netted, payroll),
            ))
    return sorted(files, key=lambda f: f.name)


def payroll_files(lines: list[PayoutLine], period: str, config: PayrollConfig = NO_PAYROLLS) -> dict[str, bytes]:
    """The payroll files' bytes by name."""
    return {f.name: f.content for f in build_payroll_files(lines, period, config)}


def _file_entry(f: PayrollFile) -> dict:
    by_code: dict[str, Decimal] = defaultdict(Decimal)
    for line in f.lines:
        by_code[line.payroll_code] += line.amount
    entry = {
        "adapter": f.adapter,
        "layout": LAYOUT_NAMES[f.adapter],
        "layout_version": LAYOUT_VERSIONS[f.adapter],
        "columns": list(COLUMNS[f.adapter]),
        "sha256": sha256_hex(f.content),
        "bytes": len(f.content),
        "row_count": f.content.count(b"\n") - 1,
        "payee_count": len({line.employee_id for line in f.lines}),
        "country": f.country,
        "currency": f.currency,
        "total": format_amount(sum(by_code.values(), Decimal(0)), f.currency),
        "totals_by_payroll_code": {code: format_amount(v, f.currency) for code, v in sorted(by_code.items())},
        "payout_file_total": format_amount(f.payout_total, f.currency),
    }
    if f.adapter == "adp":
        entry |= {"company_code": f.payroll.company_code, "batch_id": f.payroll.batch_id}
    return entry


def payroll_manifest(
    files: list[PayrollFile],
    period: str,
    calculation_id: str,
    checks_passed: list[str],
    run_id: str | None = None,
    source_batches: list[str] | None = None,
    config: PayrollConfig = NO_PAYROLLS,
) -> dict:
    return {
        "schema_version": PAYROLL_MANIFEST_VERSION,
        "period": period,
        "calculation_id": calculation_id,
        "run_id": run_id,
        "source_batches": sorted(source_batches or []),
        "payrolls": {country: p.adapter for country, p in sorted(config.payrolls.items())},
        "files": {f.name: _file_entry(f) for f in files},
        "checks_passed": sorted(checks_passed),
    }


def payroll_folder(
    lines: list[PayoutLine],
    period: str,
    calculation_id: str,
    checks_passed: list[str],
    run_id: str | None = None,
    source_batches: list[str] | None = None,
    config: PayrollConfig = NO_PAYROLLS,
) -> dict[str, bytes]:
    """The payroll files and, last, ``payroll_manifest.json``, by name."""
    files = build_payroll_files(lines, period, config)
    manifest = payroll_manifest(files, period, calculation_id, checks_passed, run_id, source_batches, config)
    return {**{f.name: f.content for f in files}, PAYROLL_MANIFEST: manifest_bytes(manifest)}


def write_payroll(
    lines: list[PayoutLine],
    out_dir: Path,
    period: str,
    calculation_id: str,
    checks_passed: list[str],
    run_id: str | None = None,
    source_batches: list[str] | None = None,
    config: PayrollConfig = NO_PAYROLLS,
) -> dict:
    """Write the payroll files, then their manifest, under ``out_dir``; return the manifest.

    A payroll file of ``period`` that an earlier run wrote and this one does not (the
    configuration changed) is removed, so the folder holds what the manifest lists."""
    out_dir = Path(out_dir)
    folder = payroll_folder(lines, period, calculation_id, checks_passed, run_id, source_batches, config)
    for name, content in folder.items():  # the manifest is the last key
        atomic_write(out_dir / name, content)
    for adapter in (GENERIC, *ADAPTERS):
        for stale in out_dir.glob(payroll_file_name(adapter, period, "*", "*")):
            if stale.name not in folder:
                stale.unlink()
    return json.loads(folder[PAYROLL_MANIFEST])
