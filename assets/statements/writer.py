"""The period's statement set on disk: written atomically, checked against the payout file.

Layout under ``<export>/statements/<period>/``:

    index.html                 every statement of the period, by payee, with totals per currency
    <employee_id>.html / .pdf  one statement per payee (one layout, layout.py)
    <employee_id>.csv          the statement's numbers at full precision (exact_values.py)
    statements.json            manifest: per payee the amount to be paid (per currency) and
                               its files, totals per currency, SHA-256 and size of every file

The set is built in a temporary folder beside the target and renamed into
place (the previous set is renamed aside first and removed after; should the
swap fail it is renamed back), so a reader sees the old set or the new one,
never half of one. Nothing
in it depends on the clock: a rerun on the same inputs writes the same bytes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from assets.payouts.extract import sha256_hex
from assets.statements.exact_values import render_csv
from assets.statements.layout import statement_document
from assets.statements.render_html import distinct_stems, exact_plain, file_stem, render_index, render_statement
from assets.statements.render_pdf import render_pdf
from assets.statements.statement import Statement
from core.parallel import map_in_order

MANIFEST = "statements.json"
SCHEMA_VERSION = "2"  # 2: the CSV of exact values and the locale per payee


def statements_dir(export_dir: Path, period: str) -> Path:
    return Path(export_dir) / "statements" / period


def render_payee_files(statement: Statement) -> dict[str, bytes]:
    """One payee's statement files, name -> bytes: the HTML, the PDF and the CSV of exact values."""
    stem = file_stem(statement.header.employee_id)
    document = statement_document(statement, f"{stem}.csv")
    return {
        f"{stem}.html": render_statement(statement, document).encode("utf-8"),
        f"{stem}.pdf": render_pdf(statement, document),
        f"{stem}.csv": render_csv(statement),
    }


def render_files(
    period: str, statements: list[Statement], calculation_id: str | None, on_rendered: Callable[[], object] | None = None
) -> dict[str, bytes]:
    """Every file of the set, name -> bytes (the manifest last); ``on_rendered`` is called after
    each payee's files (the asset's progress lines: core/progress.py)."""
    files: dict[str, bytes] = {}
    payees: dict[str, dict] = {}
    totals: dict[str, Decimal] = {}
    stems = distinct_stems([file_stem(statement.header.employee_id) for statement in statements], "payees")
    rendered = map_in_order(render_payee_files, statements, on_done=on_rendered)
    for statement, stem, payee_files in zip(statements, stems, rendered):
        files.update(payee_files)
        payees[statement.header.employee_id] = {
            "full_name": statement.header.full_name,
            "locale": statement.header.locale,
            "html": f"{stem}.html",
            "pdf": f"{stem}.pdf",
            "csv": f"{stem}.csv",
            "amount_to_be_paid": {c: exact_plain(t) for c, t in statement.totals.items()},
        }
        for currency, total in statement.totals.items():
            totals[currency] = totals.get(currency, Decimal(0)) + total
    files["index.html"] = render_index(period, statements, calculation_id).encode("utf-8")
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "period": period,
        "calculation_id": calculation_id,
        "statement_count": len(statements),
        "totals_by_currency": {c: exact_plain(t) for c, t in sorted(totals.items())},
        "payees": dict(sorted(payees.items())),
        "files": {name: {"sha256": sha256_hex(content), "bytes": len(content)} for name, content in sorted(files.items())},
    }
    files[MANIFEST] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")
    return files


def write_set(target: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` into a temporary folder beside ``target``, then swap it in with renames."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.building-"))
    try:
        for name, content in files.items():
            with open(building / name, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(building, 0o755)
        if target.exists():
            retired = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old-"))
            os.replace(target, retired / target.name)
            try:
                os.replace(building, target)
            except BaseException:
                os.replace(retired / target.name, target)  # put the previous set back
                shutil.rmtree(retired, ignore_errors=True)
                raise
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(building, target)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


_TOTAL = re.compile(r'class="statement-total" data-currency="([A-Z]{3})" data-amount="(-?[0-9.]+)"')


@dataclass(frozen=True)
class Reconciliation:
    """Statements against the payout file: what does not match (empty lists: all good)."""

    statement_count: int
    payees_in_file: int
    missing_statements: list[str]  # payees in the payout file without a statement
    mismatches: list[str]  # "employee currency: statement X, file Y"
    broken_files: list[str]  # files missing or not matching the manifest

    @property
    def passed(self) -> bool:
        return not (self.missing_statements or self.mismatches or self.broken_files)


def reconcile(folder: Path, file_totals: dict[tuple[str, str], Decimal]) -> Reconciliation:
    """Read a written statement set back and compare every statement's amount to be paid,
    as printed in its HTML and as listed in the manifest, with the payout file's payee totals."""
    folder = Path(folder)
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        return Reconciliation(0, len({e for e, _ in file_totals}), sorted({e for e, _ in file_totals}), [],
                              [f"{manifest_path} is missing"])
    manifest = json.loads(manifest_path.read_text())
    broken = []
    for name, meta in manifest["files"].items():
        path = folder / name
        if not path.exists() or sha256_hex(path.read_bytes()) != meta["sha256"]:
            broken.append(name)
    mismatches = []
    statement_totals: dict[tuple[str, str], Decimal] = {}
    for employee_id, entry in manifest["payees"].items():
        listed = {c: Decimal(v) for c, v in entry["amount_to_be_paid"].items()}
        html_path = folder / entry["html"]
        printed = (
            {c: Decimal(v) for c, v in _TOTAL.findall(html_path.read_text(encoding="utf-8"))}
            if html_path.exists() else {}
        )
        if printed != listed:
            mismatches.append(f"{employee_id}: HTML shows {printed}, manifest lists {listed}")
        for kind in ("pdf", "csv"):
            if kind in entry and not (folder / entry[kind]).exists():
                broken.append(entry[kind])
        for currency, amount in listed.items():
            statement_totals[(employee_id, currency)] = amount
    for key in sorted(set(file_totals) | set(statement_totals)):
        in_file = file_totals.get(key, Decimal(0))
        on_statement = statement_totals.get(key)
        if on_statement is None:
            if key[0] in manifest["payees"]:
                mismatches.append(f"{key[0]} {key[1]}: no amount on the statement, payout file {in_file}")
            continue  # otherwise reported as a missing statement below
        if on_statement != in_file:
            mismatches.append(f"{key[0]} {key[1]}: statement {on_statement}, payout file {in_file}")
    payees_in_file = sorted({e for e, _ in file_totals})
    missing = [e for e in payees_in_file if e not in manifest["payees"]]
    return Reconciliation(len(manifest["payees"]), len(payees_in_file), missing, mismatches, sorted(set(broken)))
