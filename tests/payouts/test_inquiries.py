"""Inquiries (docs/payment_workflow.md, "Inquiries"): fct_inquiry on the small company of
tests/support/raw.py, every number by hand.

Bob (E002, EUR, plan PLAN_AE, 5% on own credit) is credited in February 2026 with
60% of O2 (1,234,567.89 EUR, no conversion) = 740,740.734 EUR and 100% of O11
(2,500.00 GBP at 0.79 GBP and 0.9234 EUR per USD) = 2,922.1518987342 EUR:
743,662.8858987342 EUR, COMMISSION 37,183.14 (tests/compensation/test_dbt_build.py).
The run's as-of date is the newest CRM batch date, 2026-03-01.

* INQ-1 (wrong_split on O2, February), opened 2026-02-20, resolved 2026-03-20 by the
  approved adjustment +250.00 EUR "Missed split on O2" that names it: February pays
  COMMISSION 37,183.14 + MANUAL_ADJUSTMENT 250.00 = 37,433.14 EUR in 2 lines. Age
  2026-02-20 -> 2026-03-01 = 9 days; resolved 28 days after it was opened.
* INQ-2 (missing_credit on the open deal O9, March), opened 2026-02-27T23:30-02:00 =
  2026-02-28 01:30 UTC: age 1 day; Bob has no credit on O9 (0, not null) and no line in
  March. Alice's adjustment naming INQ-2 is not Bob's: it does not resolve it.
* INQ-3 of E999, whom HR does not know, is quarantined (inquiry_without_hr_worker).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from assets.payouts.extract import write_extract
from assets.payouts.publication import stale_inquiries_warning
from assets.payouts.warehouse import OpenInquiry, read_open_inquiries, read_period_payouts
from assets.statements.gather import build_statements, read_period_marts
from assets.statements.payout_file import payout_file_path, read_payout_file
from assets.statements.render_html import render_statement
from assets.statements.statement import InquiryLine
from tests.support.raw import build_small_company, write_batch
from tests.support.warehouse import build_warehouse, query

pytestmark = pytest.mark.slow  # builds a dbt warehouse

D = Decimal
UTC = timezone.utc


def _inquiry(inquiry_id, employee_id, period, opportunity_id, category, opened_at, status="open",
             resolution=None, resolved_at=None):
    return {
        "inquiry_id": inquiry_id, "employee_id": employee_id, "period": period, "opportunity_id": opportunity_id,
        "category": category, "text": f"Question {inquiry_id}", "opened_at": opened_at, "status": status,
        "resolution": resolution, "resolved_at": resolved_at,
    }


INQUIRIES = [
    _inquiry("INQ-1", "E002", "2026-02", "O2", "wrong_split", datetime(2026, 2, 20, 10, 0, tzinfo=UTC),
             status="resolved", resolution="Split corrected", resolved_at=datetime(2026, 3, 20, 9, 30, tzinfo=UTC)),
    _inquiry("INQ-2", "E002", "2026-03", "O9", "missing_credit", datetime(2026, 2, 28, 1, 30, tzinfo=UTC)),
    _inquiry("INQ-3", "E999", "2026-02", None, "other", datetime(2026, 2, 25, tzinfo=UTC)),
]


def _adjustment(employee_id, period, amount, reason, inquiry_id, currency="EUR"):
    return {
        "employee_id": employee_id, "period": period, "earning_code": "COMMISSION", "amount": D(amount),
        "currency": currency, "reason": reason, "requested_by": "ana.salesops", "approved_by": "ben.finance",
        "approved_at": datetime(2026, 3, 20, 9, 30, tzinfo=UTC), "inquiry_id": inquiry_id,
    }


ADJUSTMENTS = [
    _adjustment("E002", "2026-02", "250.00", "Missed split on O2", "INQ-1"),
    _adjustment("E001", "2026-02", "10.00", "Not Bob's", "INQ-2", currency="USD"),
]


def _company_with_inquiries(raw_dir: Path) -> None:
    build_small_company(raw_dir)
    write_batch(raw_dir, "config", "inquiries", "current", INQUIRIES)
    write_batch(raw_dir, "config", "adjustments", "current", ADJUSTMENTS)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    # the models only: this module checks hand-computed rows; the small company's data tests run
    # in tests/compensation/test_dbt_build.py (tests/support/warehouse.py, MODELS_ONLY)
    return build_warehouse(tmp_path_factory.mktemp("inquiries"), _company_with_inquiries, data_tests=False)[0]


def _row(warehouse: Path, inquiry_id: str) -> dict:
    columns = [
        "employee_id", "period", "category", "status", "is_open", "as_of_date", "age_days", "days_to_resolution",
        "currency", "credit_deal_count", "credit_amount", "opportunity_credit_count", "opportunity_credit_amount",
        "opportunity_credit_periods", "payout_line_count", "payout_amount", "adjustment_count", "adjustment_amount",
        "adjustment_periods", "adjustment_reasons",
    ]
    (values,) = query(warehouse, f"select {', '.join(columns)} from fct_inquiry where inquiry_id = '{inquiry_id}'")
    return dict(zip(columns, values, strict=True))


def test_an_inquiry_on_a_deal_is_tied_to_the_payees_credits_lines_and_resolving_adjustment(warehouse):
    o2 = D("1234567.89") * 60 / 100
    o11 = D("2922.1518987342")
    assert _row(warehouse, "INQ-1") == {
        "employee_id": "E002", "period": "2026-02", "category": "wrong_split", "status": "resolved",
        "is_open": False, "as_of_date": date(2026, 3, 1), "age_days": 9, "days_to_resolution": 28,
        "currency": "EUR", "credit_deal_count": 2, "credit_amount": D("743662.8858987342"),
        "opportunity_credit_count": 1, "opportunity_credit_amount": o2, "opportunity_credit_periods": "2026-02",
        "payout_line_count": 2, "payout_amount": D("37433.14"),
        "adjustment_count": 1, "adjustment_amount": D("250.00"), "adjustment_periods": "2026-02",
        "adjustment_reasons": "Missed split on O2",
    }
    assert o2 + o11 == D("743662.8858987342")


def test_an_open_inquiry_about_a_deal_without_credit_has_its_age_and_zero_credit(warehouse):
    assert _row(warehouse, "INQ-2") == {
        "employee_id": "E002", "period": "2026-03", "category": "missing_credit", "status": "open",
        "is_open": True, "as_of_date": date(2026, 3, 1), "age_days": 1, "days_to_resolution": None,
        "currency": "EUR", "credit_deal_count": 0, "credit_amount": D(0),
        "opportunity_credit_count": 0, "opportunity_credit_amount": D(0), "opportunity_credit_periods": None,
        "payout_line_count": 0, "payout_amount": D(0),
        # Alice's adjustment names INQ-2 but is not Bob's
        "adjustment_count": 0, "adjustment_amount": D(0), "adjustment_periods": None, "adjustment_reasons": None,
    }


def test_an_inquiry_of_an_unknown_employee_is_quarantined(warehouse):
    assert query(warehouse, "select inquiry_id from fct_inquiry order by inquiry_id") == [("INQ-1",), ("INQ-2",)]
    rows = query(
        warehouse,
        "select stage, source_row, rule, column_name, value, message from fct_quarantine where dataset = 'inquiries'",
    )
    assert rows == [(
        "warehouse", 3, "inquiry_without_hr_worker", "employee_id", "E999",
        "inquiries.csv row 3: inquiry INQ-3 of E999 about 2026-02: E999 has no HR worker record: inquiry not tracked",
    )]


def test_publishing_reads_the_open_inquiries_and_warns_on_the_old_ones(warehouse):
    open_inquiries = read_open_inquiries(warehouse)
    assert open_inquiries == [OpenInquiry("INQ-2", "E002", "2026-03", "missing_credit", 1)]
    assert stale_inquiries_warning("2026-03", open_inquiries, 30) is None
    assert stale_inquiries_warning("2026-03", open_inquiries, 0) == (
        "Publishing 2026-03 with 1 inquiry(ies) open more than 0 days (SPM_INQUIRY_WARN_DAYS): "
        "INQ-2 (E002, 2026-03, missing_credit, 1 days)."
    )


# ---------------------------------------------------------------- the statements (assets/statements)


def _statements(warehouse: Path, tmp: Path, period: str):
    lines = read_period_payouts(warehouse, period, "calc-test", pay_date=date(2026, 4, 15)).lines
    write_extract(lines, tmp / "payouts" / period, period, "calc-test", checks_passed=[])
    file_lines = read_payout_file(payout_file_path(tmp, period), period)
    return {s.header.employee_id: s for s in build_statements(period, file_lines, read_period_marts(warehouse, period))}


def test_the_statement_names_the_inquiry_an_adjustment_resolves_and_how_to_raise_one(warehouse, tmp_path):
    bob = _statements(warehouse, tmp_path, "2026-02")["E002"]

    assert [(l.earning_code, l.amount, l.reason, l.inquiry_ids) for l in bob.paid_lines] == [
        ("COMMISSION", D("37183.14"), None, None),
        ("MANUAL_ADJUSTMENT", D("250.00"), "Missed split on O2", "INQ-1"),
    ]
    assert bob.inquiry_reference == "E002-2026-02"
    assert bob.open_inquiries == ()  # INQ-2 is about March
    text = render_statement(bob)
    assert "Missed split on O2 (inquiry INQ-1)" in text
    assert "Raise an inquiry about pay period 2026-02 quoting reference E002-2026-02." in text
    assert "Your open inquiries" not in text


def test_the_statement_lists_the_payees_open_inquiries(warehouse, tmp_path):
    bob = _statements(warehouse, tmp_path, "2026-03")["E002"]

    assert bob.open_inquiries == (InquiryLine("INQ-2", "2026-03", "missing_credit", "O9", date(2026, 2, 28), 1),)
    text = render_statement(bob)
    assert "Your open inquiries" in text and "missing credit" in text
