"""The journal files for finance (docs/journals.md), as pure functions.

Input: the warehouse's ``fct_journal_line`` rows (every debit and credit already
in the currency's minor unit). Output, per accounting period: one CSV of the
period's journal lines in a stable column order and sort, and a manifest with
row count, totals per journal and currency and per currency and account, and
the SHA-256 of the CSV. No wall-clock time is written, so a rerun on the same
warehouse gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from assets.payouts.extract import atomic_write, format_amount, sha256_hex
from core.money import round_money
from core.warehouse import read_only

JOURNAL_SCHEMA_VERSION = "1"

# The columns of a journal file, in file order (documented in docs/journals.md).
JOURNAL_COLUMNS = (
    "period",
    "journal_id",
    "journal_type",
    "posting_date",
    "line_number",
    "cost_center",
    "account_number",
    "account_name",
    "currency",
    "debit",
    "credit",
    "description",
    "source_model",
    "source_period",
    "source_line_count",
    "calculation_id",
)


@dataclass(frozen=True)
class JournalLine:
    period: str
    journal_id: str
    journal_type: str
    posting_date: date
    line_number: int
    cost_center: str
    account_number: str
    account_name: str
    currency: str
    debit: Decimal
    credit: Decimal
    description: str
    source_model: str
    source_period: str
    source_line_count: int


class JournalError(ValueError):
    """The warehouse's journal lines break a rule (unbalanced, not in minor units)."""


def sort_key(line: JournalLine) -> tuple:
    """File order: by posting date, journal, line number."""
    return (line.posting_date, line.journal_id, line.line_number)


def read_journal_lines(warehouse: Path, through_period: str | None = None) -> list[JournalLine]:
    """fct_journal_line (periods up to ``through_period`` when given), read-only, in file order."""
    with read_only(warehouse) as con:
        rows = con.execute(
            f"""
            select period, journal_id, journal_type, posting_date, line_number, cost_center,
                   account_number, account_name, currency, debit, credit, description,
                   source_model, source_period, source_line_count
            from fct_journal_line
            {"where period <= ?" if through_period else ""}
            order by posting_date, journal_id, line_number
            """,
            [through_period] if through_period else [],
        ).fetchall()
    lines = [
        JournalLine(
            period=r[0], journal_id=r[1], journal_type=r[2], posting_date=r[3], line_number=int(r[4]),
            cost_center=r[5], account_number=r[6], account_name=r[7], currency=r[8],
            debit=Decimal(r[9]), credit=Decimal(r[10]), description=r[11],
            source_model=r[12], source_period=r[13], source_line_count=int(r[14]),
        )
        for r in rows
    ]
    return sorted(lines, key=sort_key)


def check_lines(lines: list[JournalLine]) -> None:
    """Every amount in the currency's minor unit, one side per line, every journal balanced per currency."""
    balance: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for line in lines:
        where = f"journal {line.journal_id} line {line.line_number} ({line.account_number}, {line.currency})"
        for side, amount in (("debit", line.debit), ("credit", line.credit)):
            if amount < 0 or round_money(amount, line.currency) != amount:
                raise JournalError(f"{where}: {side} {amount} is not a non-negative amount in minor units.")
        if (line.debit == 0) == (line.credit == 0):
            raise JournalError(f"{where}: a line has exactly one of debit and credit, got {line.debit} / {line.credit}.")
        balance[(line.journal_id, line.currency)] += line.debit - line.credit
    unbalanced = {key: diff for key, diff in sorted(balance.items()) if diff != 0}
    if unbalanced:
        detail = "; ".join(f"{j} {c}: debit - credit = {d}" for (j, c), d in unbalanced.items())
        raise JournalError(f"Unbalanced journals: {detail}")


def totals(lines: list[JournalLine]) -> dict:
    """Debit and credit totals per journal and currency, and per currency and account, as exact strings."""
    by_journal: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    by_account: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for line in lines:
        for key, table in (((line.journal_id, line.currency), by_journal), ((line.currency, line.account_number), by_account)):
            table[key][0] += line.debit
            table[key][1] += line.credit

    def nested(table: dict, currency_of) -> dict:
        out: dict[str, dict] = {}
        for (outer, inner), (debit, credit) in sorted(table.items()):
            currency = currency_of(outer, inner)
            out.setdefault(outer, {})[inner] = {
                "debit": format_amount(debit, currency),
                "credit": format_amount(credit, currency),
            }
        return out

    return {
        "by_journal_and_currency": nested(by_journal, lambda journal, currency: currency),
        "by_currency_and_account": nested(by_account, lambda currency, account: currency),
    }


def journal_csv_bytes(lines: list[JournalLine], calculation_id: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(JOURNAL_COLUMNS)
    for line in sorted(lines, key=sort_key):
        writer.writerow(
            [
                line.period,
                line.journal_id,
                line.journal_type,
                line.posting_date.isoformat(),
                line.line_number,
                line.cost_center,
                line.account_number,
                line.account_name,
                line.currency,
                format_amount(line.debit, line.currency),
                format_amount(line.credit, line.currency),
                line.description,
                line.source_model,
                line.source_period,
                line.source_line_count,
                calculation_id,
            ]
        )
    return buffer.getvalue().encode("utf-8")


def write_period_journal(lines: list[JournalLine], out_dir: Path, period: str, calculation_id: str) -> dict:
    """Write ``journal_<period>.csv`` then ``manifest.json`` (never a manifest without its file); return the manifest."""
    period_lines = [line for line in lines if line.period == period]
    check_lines(period_lines)
    out_dir = Path(out_dir)
    name = f"journal_{period}.csv"
    content = journal_csv_bytes(period_lines, calculation_id)
    atomic_write(out_dir / name, content)
    manifest = {
        "schema_version": JOURNAL_SCHEMA_VERSION,
        "period": period,
        "calculation_id": calculation_id,
        "row_count": len(period_lines),
        "journals": sorted({line.journal_id for line in period_lines}),
        "totals": totals(period_lines),
        "files": {name: {"sha256": sha256_hex(content), "bytes": len(content)}},
        "columns": list(JOURNAL_COLUMNS),
        "checks_passed": ["amounts_in_minor_units", "journals_balance_per_currency", "one_side_per_line"],
    }
    atomic_write(out_dir / "manifest.json", (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
    return manifest


def write_journals(lines: list[JournalLine], export_dir: Path, calculation_id: str) -> dict[str, dict]:
    """One folder per period with journal lines: ``<export_dir>/journals/<period>/``; manifests by period."""
    check_lines(lines)
    periods = sorted({line.period for line in lines})
    return {
        period: write_period_journal(lines, Path(export_dir) / "journals" / period, period, calculation_id)
        for period in periods
    }


# --- The written files, read back (the journal_entries asset's check) --------------------------

JOURNAL_FILE_CHECK = "journals_balance"


def journal_file_path(export_dir: Path, period: str) -> Path:
    """Where the journal file of ``period`` is written (``write_journals``)."""
    return Path(export_dir) / "journals" / period / f"journal_{period}.csv"


def read_journal_file(path: Path) -> list[dict]:
    """Each line of a written journal file: its columns as text, ``debit`` and ``credit`` as exact decimals."""
    with Path(path).open(newline="", encoding="utf-8") as handle:
        return [
            {**row, "debit": Decimal(row["debit"] or "0"), "credit": Decimal(row["credit"] or "0")}
            for row in csv.DictReader(handle)
        ]


def read_journal_row_counts(warehouse: Path, through_period: str) -> dict[str, int]:
    """fct_journal_line's row count per period up to ``through_period``, read-only."""
    with read_only(warehouse) as con:
        rows = con.execute(
            "select period, count(*) from fct_journal_line where period <= ? group by period order by period",
            [through_period],
        ).fetchall()
    return {period: int(count) for period, count in rows}


def journal_file_problems(files: dict[str, list[dict] | None], warehouse_rows: dict[str, int]) -> list[str]:
    """What is wrong with the written journal files, every problem (empty: none).

    ``files``: period -> the lines read back from its file (None: no file); ``warehouse_rows``:
    fct_journal_line's rows per period. Every journal balances: its debits equal its credits in
    each currency, to the minor unit; each period of the warehouse has its file, with as many lines.
    """
    problems = []
    for period in sorted(set(files) | set(warehouse_rows)):
        lines = files.get(period)
        expected = warehouse_rows.get(period, 0)
        if lines is None:
            problems.append(f"journal_{period}.csv: missing ({expected} line(s) in fct_journal_line)")
            continue
        if len(lines) != expected:
            problems.append(f"journal_{period}.csv: {len(lines)} line(s), fct_journal_line has {expected}")
        balance: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for line in lines:
            balance[(line["journal_id"], line["currency"])][0] += line["debit"]
            balance[(line["journal_id"], line["currency"])][1] += line["credit"]
        for (journal, currency), (debit, credit) in sorted(balance.items()):
            if debit != credit:
                problems.append(
                    f"journal_{period}.csv: journal {journal} {currency} debits {debit} != credits {credit}"
                )
    return problems