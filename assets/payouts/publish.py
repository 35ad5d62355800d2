"""Publishing one pay period into the ledger (SPEC §6), as pure file functions.

``publish_period`` makes a published version immutable and idempotent:

* the content of a version is its lines without the run id; when the newest
  recorded version of the period has the same content, publishing is a no-op
  (nothing is written, the recorded version is returned);
* otherwise version N+1 is written (N = 0 when never published): the payout
  extract (CSV, Parquet, manifest), the payroll files with their manifest and,
  for N >= 1, a delta file against version N; then the ledger's lines and
  credits; then, last, the publication record. Every file goes to a temporary
  name and is renamed, so a crash never leaves half a file, and a crash before
  the record leaves no publication: the rerun finds version N+1 unrecorded,
  clears its folder and writes it again.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl

from assets.payouts import ledger as store
from assets.payouts.extract import (
    PayoutLine,
    atomic_write,
    csv_bytes,
    extract_files,
    extract_manifest,
    format_amount,
    manifest_bytes,
    sha256_hex,
)
from assets.payouts.ledger_layout import published_dir
from assets.payouts.payroll import PAYROLL_MANIFEST, payroll_folder
from assets.payouts.payroll_layouts import NO_PAYROLLS, PayrollConfig
from core.money import MINOR_UNITS

DELTA_COLUMNS = (
    "period",
    "employee_id",
    "earning_code",
    "currency",
    "previous_version",
    "previous_amount",
    "version",
    "amount",
    "delta_amount",
)


@dataclass(frozen=True)
class PublishOutcome:
    status: str  # "published" (a new version) or "unchanged" (no-op)
    publication: store.Publication
    delta_rows: int = 0


def content_sha256(lines: list[PayoutLine]) -> str:
    """SHA-256 of the lines as the CSV would hold them, without the run id."""
    return sha256_hex(csv_bytes([replace(line, run_id="") for line in lines]))


def delta_rows(previous: pl.DataFrame, lines: list[PayoutLine], period: str, previous_version: int, version: int) -> list[dict]:
    """Per payee, earning code and currency: the amount in the new version minus the previous one."""
    before: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for row in previous.iter_rows(named=True):
        before[(row["employee_id"], row["earning_code"], row["currency"])] += Decimal(row["amount"])
    after: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for line in lines:
        after[(line.employee_id, line.earning_code, line.currency)] += line.amount
    rows = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key, Decimal(0)), after.get(key, Decimal(0))
        if old != new:
            employee_id, code, currency = key
            rows.append(
                {
                    "period": period,
                    "employee_id": employee_id,
                    "earning_code": code,
                    "currency": currency,
                    "previous_version": previous_version,
                    "previous_amount": format_amount(old, currency),
                    "version": version,
                    "amount": format_amount(new, currency),
                    "delta_amount": format_amount(new - old, currency),
                }
            )
    return rows


def _delta_files(rows: list[dict], period: str, version: int) -> dict[str, bytes]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=DELTA_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    scale = max((MINOR_UNITS[r["currency"]] for r in rows), default=2)
    frame = pl.DataFrame(
        [[r[c] for c in DELTA_COLUMNS] for r in rows],
        schema={c: pl.Utf8 for c in DELTA_COLUMNS},
        orient="row",
    ).with_columns(
        pl.col("previous_version", "version").cast(pl.Int64),
        pl.col("previous_amount", "amount", "delta_amount").cast(pl.Decimal(38, scale)),
    )
    parquet = io.BytesIO()
    frame.write_parquet(parquet, compression="zstd", statistics=False)
    return {
        f"delta_{period}_v{version}.csv": buffer.getvalue().encode("utf-8"),
        f"delta_{period}_v{version}.parquet": parquet.getvalue(),
    }


def _unrecorded_run_id(out_dir: Path, digest: str) -> str | None:
    """The run id of an unrecorded version folder whose manifest holds lines of content ``digest``."""
    try:
        manifest = json.loads((out_dir / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    return manifest.get("run_id") if manifest.get("content_sha256") == digest else None


def _write_folder(out_dir: Path, files: dict[str, bytes], run_id: str) -> None:
    """Make ``out_dir`` hold exactly ``files``, all of them or none: they are written into a
    hidden staging folder beside it, renamed into place in one step. A folder that already
    holds these bytes (a crashed run wrote it) is left as it is."""
    if out_dir.is_dir() and sorted(p.name for p in out_dir.iterdir()) == sorted(files) and all(
        (out_dir / name).read_bytes() == content for name, content in files.items()
    ):
        return
    for left in out_dir.parent.glob(f".{out_dir.name}.building-*"):  # by runs that crashed while writing
        shutil.rmtree(left, ignore_errors=True)
    building = out_dir.parent / f".{out_dir.name}.building-{run_id}"
    for name, content in files.items():
        atomic_write(building / name, content)
    if out_dir.exists():  # left by a run that crashed before recording it: never published
        shutil.rmtree(out_dir)
    os.rename(building, out_dir)


def publish_period(
    lines: list[PayoutLine],
    credits: list[tuple],
    export_dir: Path,
    period: str,
    pay_date: date,
    calculation_id: str,
    run_id: str,
    checks_passed: list[str],
    source_batches: list[str],
    balances_owed: list[dict] | None = None,
    payroll_config: PayrollConfig = NO_PAYROLLS,
    unchecked_override: dict | None = None,
) -> PublishOutcome:
    """Publish ``lines`` as the newest version of ``period`` unless it already is.

    ``credits``: (credit_period, employee_id, opportunity_id, currency,
    credit_amount) for every credit period up to ``period``, recorded beside
    the lines so later runs can tell late deals and clawbacks apart. ``payroll_config``:
    the payrolls and earning-code map the payroll files are written with (docs/payroll.md);
    a version's content is its lines, so a configuration change alone publishes nothing.
    ``unchecked_override``: why the version is published although its upstream was not checked
    (``publish --allow-unchecked``), recorded in the publication record.
    """
    export_dir = Path(export_dir)
    publications = store.read_publications(export_dir)
    digest = content_sha256(lines)
    previous = max((p for p in publications if p.period == period), key=lambda p: p.version, default=None)
    if previous is not None and previous.content_sha256 == digest:
        return PublishOutcome("unchanged", previous)

    version = previous.version + 1 if previous else 1
    seq = max((p.publication_seq for p in publications), default=0) + 1
    out_dir = published_dir(export_dir, period, version)
    # A run that crashed after writing this version's folder, before its record: when the
    # folder holds these very lines, the publication is completed as that run wrote it.
    run_id = _unrecorded_run_id(out_dir, digest) or run_id
    stamped = [replace(line, run_id=run_id) for line in lines]

    files = extract_files(stamped, period)
    delta = []
    if previous is not None:
        delta = delta_rows(store.read_published_lines(export_dir, period, previous.version), stamped, period, previous.version, version)
        files.update(_delta_files(delta, period, version))
    manifest = extract_manifest(stamped, files, period, calculation_id, checks_passed, run_id, source_batches, balances_owed)
    manifest.update(
        {
            "version": version,
            "previous_version": previous.version if previous else None,
            "content_sha256": digest,
            "pay_date": pay_date.isoformat(),
        }
    )
    payroll_and_manifest = payroll_folder(
        stamped, period, calculation_id, checks_passed, run_id, source_batches, payroll_config
    )
    payroll = {name: content for name, content in payroll_and_manifest.items() if name != PAYROLL_MANIFEST}
    folder = {**files, "manifest.json": manifest_bytes(manifest), **payroll_and_manifest}
    _write_folder(out_dir, folder, run_id)

    store.write_table(export_dir, "lines", period, version, store.lines_frame(stamped, period, version))
    store.write_table(export_dir, "credits", period, version, store.credits_frame(credits, period, version))
    publication = store.Publication(
        period=period,
        version=version,
        publication_seq=seq,
        calculation_id=calculation_id,
        run_id=run_id,
        pay_date=pay_date,
        content_sha256=digest,
        row_count=len(stamped),
        directory=out_dir.relative_to(export_dir).as_posix(),
        files={name: sha256_hex(content) for name, content in sorted(files.items())}
        | {name: sha256_hex(content) for name, content in sorted(payroll.items())},
        totals=manifest["totals"],
        source_batches=sorted(source_batches),
        checks_passed=sorted(checks_passed),
        previous_version=previous.version if previous else 0,
        unchecked_override=unchecked_override,
    )
    store.write_publication_record(export_dir, publication)
    return PublishOutcome("published", publication, len(delta))
