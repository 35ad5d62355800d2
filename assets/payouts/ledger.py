"""Reading and writing the ledger's Parquet tables (pure file functions, no Dagster).

One file per publication in each table (``layout.ledger_file``), each written
to a temporary file and renamed. The ``publications`` record is written last:
a publication exists when its record exists, and lines or credits without a
record (a crash in between) are ignored by readers and rewritten by the rerun.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import polars as pl

from assets.payouts.extract import PayoutLine, atomic_write
from assets.payouts.ledger_layout import APPROVALS_TABLE, approval_file, ledger_dir, ledger_file

MONEY = pl.Decimal(38, 10)

PUBLICATION_SCHEMA = {
    "period": pl.Utf8,
    "version": pl.Int64,
    "publication_seq": pl.Int64,
    "calculation_id": pl.Utf8,
    "run_id": pl.Utf8,
    "pay_date": pl.Date,
    "content_sha256": pl.Utf8,
    "row_count": pl.Int64,
    "directory": pl.Utf8,  # relative to the export folder
    "files_json": pl.Utf8,  # {file name: sha256}
    "totals_json": pl.Utf8,  # the manifest's totals
    "source_batches_json": pl.Utf8,
    "checks_passed_json": pl.Utf8,
    "previous_version": pl.Int64,  # 0 for the first version
    # Null, unless published with `publish --allow-unchecked`: {"reason", "by", "at", "refusal"}
    # (docs/ledger.md). Ledgers written before it have no such column: read as null.
    "unchecked_override_json": pl.Utf8,
}

LINE_SCHEMA = {
    "period": pl.Utf8,
    "version": pl.Int64,
    "employee_id": pl.Utf8,
    "full_name": pl.Utf8,
    "cost_center": pl.Utf8,
    "country": pl.Utf8,
    "earning_code": pl.Utf8,
    "currency": pl.Utf8,
    "plan_id": pl.Utf8,
    "amount": MONEY,
    "exact_amount": MONEY,
    "pay_date": pl.Date,
    "run_id": pl.Utf8,
    "calculation_id": pl.Utf8,
    "reason": pl.Utf8,
    "deal_ids": pl.Utf8,
}

CREDIT_SCHEMA = {
    "period": pl.Utf8,
    "version": pl.Int64,
    "credit_period": pl.Utf8,
    "employee_id": pl.Utf8,
    "opportunity_id": pl.Utf8,
    "currency": pl.Utf8,
    "credit_amount": MONEY,
}


# One row per approval (`spm approve`, docs/payment_workflow.md#approval). Ledgers written before
# approvals existed have no such folder: read as no approval.
APPROVAL_SCHEMA = {
    "period": pl.Utf8,
    "number": pl.Int64,  # 1, 2, ... per period, in the order given (the file name's a<NNNN>)
    "step": pl.Int64,  # the approval step (1 = the first of approvals.yaml's steps)
    "role": pl.Utf8,
    "approver": pl.Utf8,
    "approved_at": pl.Datetime("us", "UTC"),
    "content_sha256": pl.Utf8,  # the content approved: publish.content_sha256 of the period's lines
    "calculation_id": pl.Utf8,
    "row_count": pl.Int64,
    "totals_json": pl.Utf8,  # the lines' totals (extract.totals), for the reader of the record
}


@dataclass(frozen=True)
class Approval:
    """One recorded approval of the content ``content_sha256`` of pay period ``period``."""

    period: str
    number: int
    step: int
    role: str
    approver: str
    approved_at: datetime  # UTC
    content_sha256: str
    calculation_id: str
    row_count: int
    totals: dict


@dataclass(frozen=True)
class Publication:
    """One recorded publication: version ``version`` of pay period ``period``."""

    period: str
    version: int
    publication_seq: int
    calculation_id: str
    run_id: str
    pay_date: date
    content_sha256: str
    row_count: int
    directory: str
    files: dict
    totals: dict
    source_batches: list
    checks_passed: list
    previous_version: int
    # Published although the upstream was not checked (`publish --allow-unchecked`): the reason,
    # who (USER) and when, and the refusal it overrode; None for a checked publication.
    unchecked_override: dict | None = None

    def path(self, export_dir: Path) -> Path:
        return Path(export_dir) / self.directory


def _parquet_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd", statistics=False)
    return buffer.getvalue()


def _read_table(export_dir: Path, table: str, schema: dict) -> pl.DataFrame:
    files = sorted((ledger_dir(export_dir) / table).glob("*.parquet"))
    if not files:
        return pl.DataFrame(schema=schema)
    # Files written before a column was added lack it: it is read as null.
    frame = pl.concat([pl.DataFrame(schema=schema), *(pl.read_parquet(f) for f in files)], how="diagonal_relaxed")
    return frame.select(list(schema))


def read_publications(export_dir: Path) -> list[Publication]:
    """Every recorded publication, in the order they were published."""
    frame = _read_table(export_dir, "publications", PUBLICATION_SCHEMA)
    publications = [
        Publication(
            period=row["period"],
            version=row["version"],
            publication_seq=row["publication_seq"],
            calculation_id=row["calculation_id"],
            run_id=row["run_id"],
            pay_date=row["pay_date"],
            content_sha256=row["content_sha256"],
            row_count=row["row_count"],
            directory=row["directory"],
            files=json.loads(row["files_json"]),
            totals=json.loads(row["totals_json"]),
            source_batches=json.loads(row["source_batches_json"]),
            checks_passed=json.loads(row["checks_passed_json"]),
            previous_version=row["previous_version"],
            unchecked_override=json.loads(row["unchecked_override_json"]) if row["unchecked_override_json"] else None,
        )
        for row in frame.iter_rows(named=True)
    ]
    return sorted(publications, key=lambda p: p.publication_seq)


def latest_published_version(export_dir: Path, period: str) -> Publication | None:
    """The newest recorded version of a pay period, or None when it was never published.

    Its files are under ``publication.path(export_dir)``
    (``<export>/payouts/published/<period>/v<N>/``).
    """
    versions = [p for p in read_publications(export_dir) if p.period == period]
    return max(versions, key=lambda p: p.version) if versions else None


def read_published_lines(export_dir: Path, period: str, version: int) -> pl.DataFrame:
    path = ledger_file(export_dir, "lines", period, version)
    return pl.read_parquet(path) if path.exists() else pl.DataFrame(schema=LINE_SCHEMA)


def lines_frame(lines: list[PayoutLine], period: str, version: int) -> pl.DataFrame:
    return pl.DataFrame(
        [
            [
                period,
                version,
                line.employee_id,
                line.full_name,
                line.cost_center,
                line.country,
                line.earning_code,
                line.currency,
                line.plan_id,
                line.amount,
                line.exact_amount if line.exact_amount is not None else line.amount,
                line.pay_date,
                line.run_id,
                line.calculation_id,
                line.reason,
                line.deal_ids,
            ]
            for line in lines
        ],
        schema=LINE_SCHEMA,
        orient="row",
    )


def credits_frame(rows: list[tuple], period: str, version: int) -> pl.DataFrame:
    """rows: (credit_period, employee_id, opportunity_id, currency, credit_amount)."""
    return pl.DataFrame(
        [[period, version, *row] for row in sorted(rows, key=lambda r: r[:4])],
        schema=CREDIT_SCHEMA,
        orient="row",
    )


def write_table(export_dir: Path, table: str, period: str, version: int, frame: pl.DataFrame) -> Path:
    path = ledger_file(export_dir, table, period, version)
    atomic_write(path, _parquet_bytes(frame))
    return path


def write_publication_record(export_dir: Path, publication: Publication) -> Path:
    """Record a publication: the last write of a publish, after its files and lines."""
    frame = pl.DataFrame(
        [
            [
                publication.period,
                publication.version,
                publication.publication_seq,
                publication.calculation_id,
                publication.run_id,
                publication.pay_date,
                publication.content_sha256,
                publication.row_count,
                publication.directory,
                json.dumps(publication.files, sort_keys=True),
                json.dumps(publication.totals, sort_keys=True),
                json.dumps(publication.source_batches),
                json.dumps(publication.checks_passed),
                publication.previous_version,
                json.dumps(publication.unchecked_override, sort_keys=True) if publication.unchecked_override else None,
            ]
        ],
        schema=PUBLICATION_SCHEMA,
        orient="row",
    )
    return write_table(export_dir, "publications", publication.period, publication.version, frame)


def read_approvals(export_dir: Path, period: str) -> list[Approval]:
    """Every approval recorded for ``period``, in the order given (none for a ledger without approvals)."""
    frame = _read_table(export_dir, APPROVALS_TABLE, APPROVAL_SCHEMA).filter(pl.col("period") == period)
    approvals = [
        Approval(
            period=row["period"], number=row["number"], step=row["step"], role=row["role"], approver=row["approver"],
            approved_at=row["approved_at"], content_sha256=row["content_sha256"],
            calculation_id=row["calculation_id"], row_count=row["row_count"], totals=json.loads(row["totals_json"]),
        )
        for row in frame.iter_rows(named=True)
    ]
    return sorted(approvals, key=lambda a: a.number)


def write_approval(export_dir: Path, approval: Approval) -> Path:
    """Append ``approval`` to the ledger: a new file, never one already written (append-only)."""
    path = approval_file(export_dir, approval.period, approval.number)
    if path.exists():
        raise FileExistsError(f"approval {approval.number} of {approval.period} is already recorded in {path}")
    frame = pl.DataFrame(
        [[approval.period, approval.number, approval.step, approval.role, approval.approver, approval.approved_at,
          approval.content_sha256, approval.calculation_id, approval.row_count,
          json.dumps(approval.totals, sort_keys=True)]],
        schema=APPROVAL_SCHEMA,
        orient="row",
    )
    atomic_write(path, _parquet_bytes(frame))
    return path
