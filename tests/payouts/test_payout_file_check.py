"""The payout extract's blocking check ``payout_file_matches_warehouse`` (assets/payouts/checks.py):
the written files, read back, add up to the warehouse they are drawn from.

A hand-made warehouse for 2026-10: fct_payout_line has three USD lines of payee E1 (100.004 +
50.003 COMMISSION, 20.00 BONUS: exact total 170.007) and one EUR line of E2 (10.005);
fct_payout_file_line sums them per payee and code and rounds once: E1 COMMISSION 150.01, E1 BONUS
20.00, E2 COMMISSION 10.01 (all paid). So each file has 3 lines, USD 170.01 (within 2 x 0.005 of
170.007), EUR 10.01 (within 0.005 of 10.005).
"""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from assets.payouts.assets import payout_file_outcome
from assets.payouts.checks import FILE_CHECK, check_file_matches_warehouse
from assets.payouts.extract import PayoutLine, read_extract_amounts, write_extract
from assets.payouts.ledger_layout import draft_dir
from assets.payouts.warehouse import PayoutFileReference, read_payout_file_reference

D = Decimal
PERIOD = "2026-10"


def _warehouse(path: Path) -> Path:
    con = duckdb.connect(str(path))
    con.execute("create table fct_payout_line (period varchar, employee_id varchar, earning_code varchar, "
                "currency varchar, amount decimal(38,10))")
    con.execute("insert into fct_payout_line values "
                "('2026-10','E1','COMMISSION','USD',100.004), ('2026-10','E1','COMMISSION','USD',50.003), "
                "('2026-10','E1','BONUS','USD',20.00), ('2026-10','E2','COMMISSION','EUR',10.005), "
                "('2026-09','E1','COMMISSION','USD',999)")
    con.execute("create table fct_payout_file_line (period varchar, employee_id varchar, earning_code varchar, "
                "currency varchar, amount decimal(38,10), exact_amount decimal(38,10), is_paid boolean)")
    con.execute("insert into fct_payout_file_line values "
                "('2026-10','E1','COMMISSION','USD',150.01,150.007,true), ('2026-10','E1','BONUS','USD',20.00,20.00,true), "
                "('2026-10','E2','COMMISSION','EUR',10.01,10.005,true), ('2026-09','E1','COMMISSION','USD',999,999,true)")
    con.close()
    return path


def _lines(*rows) -> list[PayoutLine]:
    return [
        PayoutLine(period=PERIOD, employee_id=e, full_name=e, cost_center="CC", earning_code=code, currency=c,
                   amount=D(a), pay_date=date(2026, 11, 13), plan_id="P", calculation_id="calc")
        for e, code, c, a in rows
    ]


GOOD = (("E1", "BONUS", "USD", "20.00"), ("E1", "COMMISSION", "USD", "150.01"), ("E2", "COMMISSION", "EUR", "10.01"))


@pytest.fixture()
def export(tmp_path) -> tuple[Path, Path]:
    warehouse = _warehouse(tmp_path / "spm.duckdb")
    export_dir = tmp_path / "exports"
    write_extract(_lines(*GOOD), draft_dir(export_dir, PERIOD), PERIOD, "calc", checks_passed=[])
    return export_dir, warehouse


def test_reference_reads_the_period_from_both_marts(export):
    _, warehouse = export
    reference = read_payout_file_reference(warehouse, PERIOD)
    assert reference == PayoutFileReference(
        paid_lines={"EUR": 1, "USD": 2},
        paid_totals={"EUR": D("10.01"), "USD": D("170.01")},
        exact_totals={"EUR": D("10.005"), "USD": D("170.007")},
        keys={"EUR": 1, "USD": 2},
    )


def test_the_files_as_written_pass(export):
    export_dir, warehouse = export
    outcome = payout_file_outcome(export_dir, warehouse, PERIOD)
    assert outcome.name == FILE_CHECK and outcome.blocking
    assert outcome.passed, outcome.message
    assert read_extract_amounts(draft_dir(export_dir, PERIOD), PERIOD)[f"payout_{PERIOD}.csv"] == [
        ("USD", D("20.00")), ("USD", D("150.01")), ("EUR", D("10.01"))
    ]


def test_a_hand_edited_csv_amount_fails_naming_file_and_currency(export):
    export_dir, warehouse = export
    path = draft_dir(export_dir, PERIOD) / f"payout_{PERIOD}.csv"
    rows = list(csv.reader(path.open()))
    rows[2][6] = "150.02"  # E1 COMMISSION: one cent more than the warehouse
    with path.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    outcome = payout_file_outcome(export_dir, warehouse, PERIOD)
    assert not outcome.passed
    assert f"payout_{PERIOD}.csv: USD total 170.02, fct_payout_file_line's paid lines 170.01" in outcome.message
    assert f"payout_{PERIOD}.csv: totals {{'USD': '170.02', 'EUR': '10.01'}}, the manifest says" in outcome.message
    assert f"payout_{PERIOD}.parquet" not in outcome.message  # the Parquet file is still right


def test_a_file_missing_a_line_fails_on_count_and_total(export, tmp_path):
    export_dir, warehouse = export
    write_extract(_lines(*GOOD[1:]), draft_dir(export_dir, PERIOD), PERIOD, "calc", checks_passed=[])
    outcome = payout_file_outcome(export_dir, warehouse, PERIOD)
    assert not outcome.passed
    assert f"payout_{PERIOD}.parquet: 2 line(s), fct_payout_file_line pays 3" in outcome.message
    assert f"payout_{PERIOD}.parquet: USD total 150.01, fct_payout_line 170.007 (beyond rounding)" in outcome.message


def test_a_missing_file_fails(export):
    export_dir, warehouse = export
    (draft_dir(export_dir, PERIOD) / f"payout_{PERIOD}.parquet").unlink()
    outcome = payout_file_outcome(export_dir, warehouse, PERIOD)
    assert not outcome.passed and "cannot read the payout files" in outcome.message


def test_rounding_tolerance_is_half_a_minor_unit_per_line():
    reference = PayoutFileReference({"USD": 2}, {"USD": D("170.01")}, {"USD": D("170.007")}, {"USD": 2})
    files = {"f.csv": [("USD", D("20.00")), ("USD", D("150.01"))]}
    assert check_file_matches_warehouse(files, reference, None).passed  # |170.01 - 170.007| = 0.003 <= 0.01
    off = PayoutFileReference({"USD": 2}, {"USD": D("170.01")}, {"USD": D("169.999")}, {"USD": 2})
    outcome = check_file_matches_warehouse(files, off, None)  # 0.011 > 2 x 0.005
    assert not outcome.passed and "fct_payout_line 169.999 (beyond rounding)" in outcome.message


def test_manifest_must_state_the_files(export):
    export_dir, warehouse = export
    manifest_path = draft_dir(export_dir, PERIOD) / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["row_count"] = 4
    manifest_path.write_text(json.dumps(manifest))
    outcome = payout_file_outcome(export_dir, warehouse, PERIOD)
    assert not outcome.passed and "3 line(s), the manifest says 4" in outcome.message
