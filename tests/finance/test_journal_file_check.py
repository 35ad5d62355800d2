"""The journal_entries asset's blocking check ``journals_balance`` (assets/finance/journals.py
``journal_file_problems``): every written journal balances per journal and currency, and each
period of fct_journal_line has its file with as many lines.

By hand: ACCRUAL-2026-10 books 150.01 USD (debit 6100 Commission expense, credit 2150 Accrued
commissions) and 10.01 EUR the same way: 4 lines, each journal and currency balanced.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from assets.finance.assets import journal_files_problems
from assets.finance.journals import JournalLine, journal_file_path, journal_file_problems, write_journals

D = Decimal
PERIOD = "2026-10"


def _line(n, account, currency, debit, credit) -> JournalLine:
    return JournalLine(
        period=PERIOD, journal_id=f"ACCRUAL-{PERIOD}", journal_type="ACCRUAL", posting_date=date(2026, 10, 31),
        line_number=n, cost_center="CC-EAST", account_number=account, account_name=account, currency=currency,
        debit=D(debit), credit=D(credit), description="accrual", source_model="fct_payable", source_period=PERIOD,
        source_line_count=1,
    )


LINES = [
    _line(1, "6100", "USD", "150.01", "0.00"),
    _line(2, "2150", "USD", "0.00", "150.01"),
    _line(3, "6100", "EUR", "10.01", "0.00"),
    _line(4, "2150", "EUR", "0.00", "10.01"),
]


def _written(tmp_path: Path) -> tuple[Path, Path]:
    export_dir = tmp_path / "exports"
    write_journals(LINES, export_dir, "calc")
    warehouse = tmp_path / "spm.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create table fct_journal_line (period varchar, journal_id varchar)")
    con.execute(f"insert into fct_journal_line select '{PERIOD}', 'ACCRUAL-{PERIOD}' from range(4)")
    con.close()
    return export_dir, warehouse


def test_balanced_files_pass(tmp_path):
    export_dir, warehouse = _written(tmp_path)
    assert journal_files_problems(export_dir, warehouse, PERIOD) == []
    assert journal_files_problems(export_dir, warehouse, "2026-09") == []  # nothing up to September


def test_a_hand_edited_unbalanced_journal_fails(tmp_path):
    export_dir, warehouse = _written(tmp_path)
    path = journal_file_path(export_dir, PERIOD)
    rows = list(csv.DictReader(path.open()))
    eur_debit = next(r for r in rows if r["currency"] == "EUR" and r["debit"] != "0.00")
    eur_debit["debit"] = "10.02"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    assert journal_files_problems(export_dir, warehouse, PERIOD) == [
        f"journal_{PERIOD}.csv: journal ACCRUAL-{PERIOD} EUR debits 10.02 != credits 10.01"
    ]


def test_missing_lines_and_files_fail():
    files = {PERIOD: [{"journal_id": "J", "currency": "USD", "debit": D("1.00"), "credit": D("0")},
                      {"journal_id": "J", "currency": "USD", "debit": D("0"), "credit": D("1.00")}],
             "2026-11": None}
    assert journal_file_problems(files, {PERIOD: 3, "2026-11": 2}) == [
        f"journal_{PERIOD}.csv: 2 line(s), fct_journal_line has 3",
        "journal_2026-11.csv: missing (2 line(s) in fct_journal_line)",
    ]
