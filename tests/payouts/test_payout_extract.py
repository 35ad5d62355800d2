"""The payout extract: one line per payee, code and period, rounded once (SPEC §5, §6).

The lines are summed, rounded and the 0.00 ones left out in the warehouse
(fct_payout_file_line, tests/payouts/test_payout_file_line.py); here the files written from them."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl

from assets.payouts.extract import PayoutLine, write_extract
from core.money import round_money

PAY_DATE = date(2026, 11, 15)


def _line(employee_id, amount, code="COMMISSION", currency="USD", plan="AE-2026", period="2026-10", calc="calc-x",
          **extra):
    """A line of fct_payout_file_line (amount already rounded in the warehouse) as the extract writes it."""
    return PayoutLine(period, employee_id, f"Name {employee_id}", "CC-100", code, currency, Decimal(amount),
                      PAY_DATE, plan, calc, **extra)


def test_round_half_away_from_zero_per_currency():
    assert round_money(Decimal("2.345"), "USD") == Decimal("2.35")
    assert round_money(Decimal("-2.345"), "USD") == Decimal("-2.35")
    assert round_money(Decimal("2.3449999999"), "USD") == Decimal("2.34")
    assert round_money(Decimal("1234.5"), "JPY") == Decimal("1235")
    assert round_money(Decimal("1.0005"), "BHD") == Decimal("1.001")


def test_written_files_match_manifest(tmp_path):
    # 1234.565 -> 1234.57 ; 99.994 -> 99.99 ; -5.005 -> -5.01, rounded in the warehouse
    lines = [_line("E1", "1234.57", calc="calc-abc"), _line("E2", "99.99", currency="EUR", calc="calc-abc"),
             _line("E3", "-5.01", calc="calc-abc")]
    manifest = write_extract(lines, tmp_path, "2026-10", "calc-abc", ["a_check"])

    on_disk = json.loads((tmp_path / "manifest.json").read_text())
    assert on_disk == manifest
    assert manifest["row_count"] == 3
    # 1234.565 -> 1234.57 ; -5.005 -> -5.01 ; 99.994 -> 99.99
    assert manifest["totals"]["by_currency"] == {"EUR": "99.99", "USD": "1229.56"}
    for name, meta in manifest["files"].items():
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == meta["sha256"]

    with (tmp_path / "payout_2026-10.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["amount"] for r in rows] == ["1234.57", "99.99", "-5.01"]
    frame = pl.read_parquet(tmp_path / "payout_2026-10.parquet")
    assert frame["amount"].to_list() == [Decimal("1234.57"), Decimal("99.99"), Decimal("-5.01")]


def test_rewriting_same_lines_gives_same_bytes(tmp_path):
    lines = [_line("E1", "10.13", calc="calc-abc")]
    write_extract(lines, tmp_path / "a", "2026-10", "calc-abc", [])
    write_extract(lines, tmp_path / "b", "2026-10", "calc-abc", [])
    for name in ("payout_2026-10.csv", "payout_2026-10.parquet", "manifest.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_columns_of_schema_version_2():
    from assets.payouts.extract import EXTRACT_COLUMNS, EXTRACT_SCHEMA_VERSION

    assert EXTRACT_SCHEMA_VERSION == "2"
    assert EXTRACT_COLUMNS == (
        "period", "employee_id", "full_name", "cost_center", "earning_code", "currency", "amount",
        "pay_date", "plan_id", "run_id", "calculation_id", "reason", "deal_ids", "country",
    )


def test_adjustment_lines_keep_reason_and_deals(tmp_path):
    # the warehouse's paid lines (E2's, rounding to 0.00, are not among them: tests/payouts/test_payout_file_line.py)
    lines = [
        _line("E1", "20.00", "ADJUSTMENT", reason="plan_correction", country="US", run_id="run-1"),
        _line("E1", "-200.00", "CLAWBACK", reason="deal_lost", deal_ids="O2", country="US", run_id="run-1"),
    ]
    write_extract(lines, tmp_path, "2026-10", "calc-x", [], run_id="run-1", source_batches=["crm/2026-11-27"])
    with (tmp_path / "payout_2026-10.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["earning_code"], r["reason"], r["deal_ids"], r["country"]) for r in rows][:2] == [
        ("ADJUSTMENT", "plan_correction", "", "US"),
        ("CLAWBACK", "deal_lost", "O2", "US"),
    ]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert (manifest["run_id"], manifest["source_batches"]) == ("run-1", ["crm/2026-11-27"])
    frame = pl.read_parquet(tmp_path / "payout_2026-10.parquet")
    assert frame["deal_ids"].to_list() == [None, "O2"]


def test_earning_codes_are_one_list_in_python_dbt_and_the_plan_schema():
    # SPEC §5: COMMISSION, BONUS, SPIF, DRAW, DRAW_RECOVERY, ADJUSTMENT, CLAWBACK, MANUAL_ADJUSTMENT
    import yaml

    from core.earning_codes import COMPONENT_CODES, DEDUCTION_CODES, EARNING_CODES
    from core.settings import DBT_PROJECT_DIR

    assert list(EARNING_CODES) == [
        "COMMISSION", "BONUS", "SPIF", "DRAW", "DRAW_RECOVERY", "ADJUSTMENT", "CLAWBACK", "MANUAL_ADJUSTMENT", "COMMISSION_RELEASE",
    ]
    dbt_vars = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    assert dbt_vars["earning_codes"] == list(EARNING_CODES)
    schema = json.loads((Path(__file__).parents[2] / "assets" / "ingest" / "plan.schema.json").read_text())
    enums = [v["enum"] for v in _walk(schema) if isinstance(v, dict) and "enum" in v and "COMMISSION" in v["enum"]]
    assert enums == [list(COMPONENT_CODES)]
    assert "DRAW" not in DEDUCTION_CODES and "CLAWBACK" in DEDUCTION_CODES


def _walk(node):
    yield node
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    for child in children:
        yield from _walk(child)


def test_the_manifest_reports_balances_owed_at_termination(tmp_path):
    lines = [_line("E1", "10.00", period="2026-04")]
    owed = [{"employee_id": "E9", "currency": "USD", "balance_owed": Decimal("-3000"), "termination_date": date(2026, 3, 31)}]
    manifest = write_extract(lines, tmp_path, "2026-04", "calc-x", [], balances_owed=owed)
    assert manifest["balances_owed_at_termination"] == [
        {"employee_id": "E9", "currency": "USD", "balance_owed": "-3000.00", "termination_date": "2026-03-31"}
    ]
    assert write_extract(lines, tmp_path, "2026-04", "calc-x", [])["balances_owed_at_termination"] == []
