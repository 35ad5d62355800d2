"""The payout extract: one line per payee, code and period, rounded once (SPEC §5, §6)."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from core.money import round_money
from assets.payouts.extract import (
    EarningRow,
    default_pay_date,
    payout_lines,
    write_extract,
)


def _row(employee_id, amount, code="COMMISSION", currency="USD", plan="AE-2026"):
    return EarningRow(employee_id, f"Name {employee_id}", "CC-100", code, currency, plan, Decimal(amount))


def test_round_half_away_from_zero_per_currency():
    assert round_money(Decimal("2.345"), "USD") == Decimal("2.35")
    assert round_money(Decimal("-2.345"), "USD") == Decimal("-2.35")
    assert round_money(Decimal("2.3449999999"), "USD") == Decimal("2.34")
    assert round_money(Decimal("1234.5"), "JPY") == Decimal("1235")
    assert round_money(Decimal("1.0005"), "BHD") == Decimal("1.001")


def test_lines_sum_components_before_rounding_once():
    # Two components of one payee and code: 100.004 + 200.004 = 300.008 -> 300.01.
    # Rounding each first would give 100.00 + 200.00 = 300.00: a cent lost.
    earnings = [_row("E1", "100.0040000000"), _row("E1", "200.0040000000")]
    lines = payout_lines(earnings, "2026-10", date(2026, 11, 15), "calc-x")
    assert [(l.employee_id, l.amount) for l in lines] == [("E1", Decimal("300.01"))]


def test_one_line_per_payee_code_and_plan_change_listed():
    earnings = [
        _row("E2", "10", plan="MGR-2026"),
        _row("E2", "5.555", plan="AE-2026"),
        _row("E2", "7", code="BONUS"),
        _row("E1", "1", currency="EUR"),
    ]
    lines = payout_lines(earnings, "2026-10", date(2026, 11, 15), "calc-x")
    assert [(l.employee_id, l.earning_code, l.amount, l.plan_id) for l in lines] == [
        ("E1", "COMMISSION", Decimal("1.00"), "AE-2026"),
        ("E2", "BONUS", Decimal("7.00"), "AE-2026"),
        ("E2", "COMMISSION", Decimal("15.56"), "AE-2026+MGR-2026"),
    ]


def test_default_pay_date_is_15th_of_next_month():
    assert default_pay_date("2026-10") == date(2026, 11, 15)
    assert default_pay_date("2026-12") == date(2027, 1, 15)


def test_written_files_match_manifest(tmp_path):
    earnings = [_row("E1", "1234.565"), _row("E2", "99.994", currency="EUR"), _row("E3", "-5.005")]
    lines = payout_lines(earnings, "2026-10", date(2026, 11, 15), "calc-abc")
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
    lines = payout_lines([_row("E1", "10.125")], "2026-10", date(2026, 11, 15), "calc-abc")
    write_extract(lines, tmp_path / "a", "2026-10", "calc-abc", [])
    write_extract(lines, tmp_path / "b", "2026-10", "calc-abc", [])
    for name in ("payout_2026-10.csv", "payout_2026-10.parquet", "manifest.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


amounts = st.decimals(min_value=Decimal("-100000"), max_value=Decimal("1000000"), places=10)


@given(st.lists(st.tuples(st.sampled_from(["E1", "E2", "E3"]), amounts), min_size=1, max_size=30))
def test_file_total_within_half_a_cent_per_line_of_exact_total(rows):
    earnings = [_row(e, a) for e, a in rows]
    lines = payout_lines(earnings, "2026-10", date(2026, 11, 15), "calc-x")
    exact = sum((a for _, a in rows), Decimal(0))
    # half a cent per payee and code (a line that rounds to 0.00 is left out of the file)
    keys = {(r.employee_id, r.earning_code, r.currency) for r in earnings}
    assert abs(sum(l.amount for l in lines) - exact) <= Decimal("0.005") * len(keys)
    assert all(l.amount == l.amount.quantize(Decimal("0.01")) for l in lines)


def test_columns_of_schema_version_2():
    from assets.payouts.extract import EXTRACT_COLUMNS, EXTRACT_SCHEMA_VERSION

    assert EXTRACT_SCHEMA_VERSION == "2"
    assert EXTRACT_COLUMNS == (
        "period", "employee_id", "full_name", "cost_center", "earning_code", "currency", "amount",
        "pay_date", "plan_id", "run_id", "calculation_id", "reason", "deal_ids", "country",
    )


def test_adjustment_lines_keep_reason_and_deals_and_every_line_that_rounds_to_zero_is_left_out(tmp_path):
    earnings = [
        EarningRow("E1", "Name E1", "CC-100", "ADJUSTMENT", "USD", "AE-2026", Decimal("20.004"), "plan_correction", None, "US"),
        EarningRow("E1", "Name E1", "CC-100", "CLAWBACK", "USD", "AE-2026", Decimal("-200"), "deal_lost", "O2", "US"),
        EarningRow("E2", "Name E2", "CC-100", "ADJUSTMENT", "USD", "AE-2026", Decimal("0.004"), "rounding", None, "US"),
        EarningRow("E2", "Name E2", "CC-100", "COMMISSION", "USD", "AE-2026", Decimal("0.004"), None, None, "US"),
    ]
    lines = payout_lines(earnings, "2026-10", date(2026, 11, 15), "calc-x", run_id="run-1")
    # E2's lines round to 0.00 and are left out of the file, whatever their code (SPEC §5).
    assert [(l.employee_id, l.earning_code, l.amount, l.reason, l.deal_ids, l.run_id) for l in lines] == [
        ("E1", "ADJUSTMENT", Decimal("20.00"), "plan_correction", None, "run-1"),
        ("E1", "CLAWBACK", Decimal("-200.00"), "deal_lost", "O2", "run-1"),
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
        "COMMISSION", "BONUS", "SPIF", "DRAW", "DRAW_RECOVERY", "ADJUSTMENT", "CLAWBACK", "MANUAL_ADJUSTMENT",
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
    lines = payout_lines([_row("E1", Decimal("10"))], "2026-04", date(2026, 5, 15), "calc-x")
    owed = [{"employee_id": "E9", "currency": "USD", "balance_owed": Decimal("-3000"), "termination_date": date(2026, 3, 31)}]
    manifest = write_extract(lines, tmp_path, "2026-04", "calc-x", [], balances_owed=owed)
    assert manifest["balances_owed_at_termination"] == [
        {"employee_id": "E9", "currency": "USD", "balance_owed": "-3000.00", "termination_date": "2026-03-31"}
    ]
    assert write_extract(lines, tmp_path, "2026-04", "calc-x", [])["balances_owed_at_termination"] == []
