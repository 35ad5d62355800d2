"""Manual adjustments (docs/payment_workflow.md, "Manual adjustments"), on the small company
of tests/support/raw.py, every number by hand.

Bob (E002, EUR, plan PLAN_AE) earns COMMISSION 37,183.14 EUR in February 2026 and
nothing in March (tests/compensation/test_dbt_build.py). adjustments.csv adds:

* row 1: +250.00 EUR for Bob in 2026-02 ("Missed split on O2"): one
  MANUAL_ADJUSTMENT line of 250.00 with its reason; February pays Bob
  37,183.14 + 250.00 = 37,433.14 EUR, 250.00 more than his commission;
* row 2: -100.00 EUR for Bob in 2026-03, a month he earns nothing in: never
  negative pay, March pays 0.00 and his balance carries -100.00;
* rows 3-6 are held back in the warehouse, each with its rule: an employee HR
  does not know (E999), an amount not in the payee's currency (USD for Bob),
  an earning code not in the list (BOGUS), a payee without a plan in the
  month (Carol, E003, has no plan assignment).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from assets.payouts.extract import csv_bytes, totals
from assets.payouts.warehouse import read_period_payouts
from core.fingerprint import inputs_fingerprint
from tests.support.landing import write_rows
from tests.support.raw import build_small_company, write_batch
from tests.support.warehouse import build_warehouse, query

pytestmark = pytest.mark.slow  # builds a dbt warehouse

D = Decimal
APPROVED_AT = datetime(2026, 3, 20, 9, 30, tzinfo=timezone.utc)


def _adjustment(employee_id, period, amount, currency="EUR", earning_code="COMMISSION", reason="Correction"):
    return {
        "employee_id": employee_id, "period": period, "earning_code": earning_code, "amount": D(amount),
        "currency": currency, "reason": reason, "requested_by": "ana.salesops", "approved_by": "ben.finance",
        "approved_at": APPROVED_AT, "inquiry_id": None,
    }


ADJUSTMENTS = [
    _adjustment("E002", "2026-02", "250.00", reason="Missed split on O2"),
    _adjustment("E002", "2026-03", "-100.00", reason="Overpaid SPIF"),
    _adjustment("E999", "2026-02", "50.00"),
    _adjustment("E002", "2026-02", "10.00", currency="USD", reason="Wrong currency"),
    _adjustment("E002", "2026-02", "10.00", earning_code="BOGUS", reason="Unknown code"),
    _adjustment("E003", "2026-02", "10.00", currency="USD", reason="No plan"),
]


def _company_with_adjustments(raw_dir: Path) -> None:
    build_small_company(raw_dir)
    write_batch(raw_dir, "config", "adjustments", "current", ADJUSTMENTS)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    # the models only: this module checks hand-computed lines; the small company's data tests run
    # in tests/compensation/test_dbt_build.py (tests/support/warehouse.py, MODELS_ONLY)
    return build_warehouse(
        tmp_path_factory.mktemp("manual_adjustments"), _company_with_adjustments, data_tests=False)[0]


def test_an_approved_adjustment_is_one_manual_adjustment_line_with_its_reason(warehouse):
    lines = query(
        warehouse,
        """
        select earning_code, currency, amount, reason, plan_id, line_type
        from fct_payout_file_line
        where employee_id = 'E002' and period = '2026-02' and is_paid
        order by earning_code
        """,
    )
    assert lines == [
        ("COMMISSION", "EUR", D("37183.14"), None, "PLAN_AE", "calculated"),
        ("MANUAL_ADJUSTMENT", "EUR", D("250.00"), "Missed split on O2", "PLAN_AE", "calculated"),
    ]
    (total,) = query(
        warehouse,
        "select sum(amount) from fct_payout_file_line where employee_id = 'E002' and period = '2026-02' and is_paid",
    )
    assert total == (D("37433.14"),)


def test_a_negative_adjustment_never_makes_negative_pay_and_carries_as_a_balance(warehouse):
    lines = query(
        warehouse,
        """
        select earning_code, earnings_amount, carried_amount, payable_amount
        from fct_payable where employee_id = 'E002' and period = '2026-03'
        """,
    )
    assert lines == [("MANUAL_ADJUSTMENT", D("-100.00"), D("100.00"), D("0.00"))]
    balance = query(
        warehouse,
        "select payable_amount, balance_out from fct_payee_balance where employee_id = 'E002' and period = '2026-03'",
    )
    assert balance == [(D("0.00"), D("-100.00"))]
    paid = query(
        warehouse,
        "select count(*) from fct_payout_file_line where employee_id = 'E002' and period = '2026-03' and is_paid",
    )
    assert paid == [(0,)]


def test_the_accrual_journal_accrues_the_adjustment(warehouse):
    rows = query(
        warehouse,
        """
        select earning_code, account_role, accrued_amount
        from int_journal_accrual_lines
        where employee_id = 'E002' and period = '2026-02' and earning_code = 'MANUAL_ADJUSTMENT'
        """,
    )
    assert rows == [("MANUAL_ADJUSTMENT", "commission_expense", D("250.00"))]


def test_adjustments_the_warehouse_cannot_pay_are_quarantined_with_their_rule(warehouse):
    rows = query(
        warehouse,
        """
        select source_row, rule, column_name, value
        from fct_quarantine where dataset = 'adjustments' order by source_row
        """,
    )
    assert rows == [
        (3, "adjustment_without_hr_worker", "employee_id", "E999"),
        (4, "adjustment_currency_mismatch", "currency", "USD"),
        (5, "unknown_earning_code", "earning_code", "BOGUS"),
        (6, "adjustment_outside_plan_assignment", "period", "2026-02"),
    ]
    (message,) = query(warehouse, "select message from fct_quarantine where dataset = 'adjustments' and source_row = 4")
    assert message == (
        "adjustments.csv row 4: the manual adjustment of E002 in 2026-02 is in USD but the payee is paid in EUR: "
        "adjustment not paid",
    )


def test_an_adjustment_changes_the_calculation_id(tmp_path):
    landing, config = tmp_path / "landing", tmp_path / "config"
    landing.mkdir()
    write_rows(config / "quotas.csv", [{"employee_id": "E1", "plan_year": "2026", "annual_quota": "1000", "currency": "EUR"}])
    before = inputs_fingerprint(landing, config)
    write_rows(config / "adjustments.csv", [{
        "employee_id": "E1", "period": "2026-02", "earning_code": "COMMISSION", "amount": "250.00", "currency": "EUR",
        "reason": "Missed split", "requested_by": "ana", "approved_by": "ben", "approved_at": "2026-03-20",
    }])
    assert inputs_fingerprint(landing, config) != before


def test_the_payout_file_writes_the_line_with_its_reason_and_totals(warehouse):
    payouts = read_period_payouts(warehouse, "2026-02", calculation_id="calc-test", pay_date=date(2026, 3, 13))
    rows = list(csv.DictReader(io.StringIO(csv_bytes(payouts.lines).decode())))
    bob = [(r["earning_code"], r["amount"], r["currency"], r["reason"]) for r in rows if r["employee_id"] == "E002"]
    assert bob == [
        ("COMMISSION", "37183.14", "EUR", ""),
        ("MANUAL_ADJUSTMENT", "250.00", "EUR", "Missed split on O2"),
    ]
    assert totals(payouts.lines)["by_currency_and_earning_code"]["EUR"]["MANUAL_ADJUSTMENT"] == "250.00"


def test_the_workflow_records_are_not_inputs_of_the_calculation_id(tmp_path):
    """Approvals, inquiries and plan acceptances change no amount: the id stays (an approval of
    the content stays valid when an acceptance lands); an adjustment, which pays, changes it."""
    landing, config = tmp_path / "landing", tmp_path / "config"
    landing.mkdir()
    write_rows(config / "quotas.csv", [{"employee_id": "E1", "plan_year": "2026", "annual_quota": "1000", "currency": "EUR"}])
    before = inputs_fingerprint(landing, config)
    (config / "approvals.yaml").write_text("steps:\n  - role: finance\n")
    write_rows(config / "inquiries.csv", [{"inquiry_id": "INQ-1", "employee_id": "E1", "period": "2026-02"}])
    write_rows(config / "plan_acceptances.csv", [{"employee_id": "E1", "plan_id": "AE-2026", "plan_year": "2026"}])
    assert inputs_fingerprint(landing, config) == before
    (config / "plans").mkdir()
    (config / "plans" / "inquiries.csv").write_text("a file of that name elsewhere is an input\n")
    assert inputs_fingerprint(landing, config) != before
