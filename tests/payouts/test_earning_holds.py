"""Holds and releases (docs/payment_workflow.md, "Holds and releases"), on the two-payee
company of tests/support/ledger.py, every number by hand.

Plan AE-2026 pays 10 % of own credit per month (basis period) with
``release: on_invoice_paid``, ``partial: proportional``, ``expire_after_days: 60``.
Its plan months run through 2027, so a payment after the 2026 plan year has a
month to be paid in. The ERP's Invoice file lands in several batches (paid to
date, cumulative):

* O1, Alice, 33,333 closed 2026-01-10: earned 3,333.30 in January, all held.
  INV-1 (33,333, due 2026-02-09) paid 12,345.67 on 2026-02-05 (batch 2026-02-15),
  in full on 2026-03-20 (batch 2026-04-01): February releases
  round(3,333.30 x 12,345.67 / 33,333) = round(1,234.567) = 1,234.57, March
  3,333.30 - 1,234.57 = 2,098.73.
* O2, Bob, 3,000 closed 2026-01-15: earned 300.00, held; INV-2 is written off
  (batch 2026-03-01): 300.00 written off in March, never released.
* O4, Alice, 8,000 closed 2026-03-05: earned 800.00 in March, held; INV-4 due
  2026-04-04 is paid only on 2026-07-01, after due + 60 days (2026-06-03): the
  hold expires in June (800.00 expired) and the late payment releases nothing.
* O3, Bob, 12,000 closed 2026-11-20: earned 1,200.00, held; INV-3 paid in full
  on 2027-01-10 (batch 2027-01-15), after the plan year: released 1,200.00 in
  2027-01, a COMMISSION_RELEASE line of January 2027's payout file.

Attainment stays on bookings: fct_commission is unchanged (3,333.30 in January).
"""

from __future__ import annotations

import csv
import os
import re
from decimal import Decimal

import pytest

from core.settings import SpmPaths
from tests.support.demo import paths_under
from tests.support.landing import write_rows
from tests.support.ledger import deal as _deal
from tests.support.ledger import warehouse_rows as _query
from tests.support.ledger import run_daily, write_company

pytestmark = pytest.mark.slow  # runs the pipeline job

D = Decimal

PLAN = """\
plan_id: AE-2026
name: Account Executive 2026
effective_start: 2026-01-01
effective_end: 2027-12-31
components:
  - component_id: commission
    name: Commission on own bookings, paid when the customer pays
    earning_code: COMMISSION
    measure: own_credit
    basis: period
    release: on_invoice_paid
    partial: proportional
    expire_after_days: 60
    rule:
      type: flat_rate
      rate: "0.10"
"""


def _invoice(id_, deal, amount, due, status, paid="", paid_date="", invoiced=None):
    return {
        "invoice_id": id_, "opportunity_id": deal, "account_id": "", "amount": amount, "currency": "USD",
        "invoice_date": invoiced or due, "due_date": due, "paid_amount": paid, "paid_date": paid_date, "status": status,
    }


def _write_company(paths: SpmPaths) -> None:
    write_company(paths, [_deal("O1", "U1", "33333", "2026-01-10"), _deal("O2", "U2", "3000", "2026-01-15")])
    (paths.config_dir / "plans" / "ae.yaml").write_text(PLAN)
    write_rows(
        paths.config_dir / "quotas.csv",
        [
            {"employee_id": e, "plan_year": year, "annual_quota": "120000", "currency": "USD", "seasonality_profile": ""}
            for e in ("E1", "E2") for year in ("2026", "2027")
        ],
    )
    crm = paths.landing_dir / "crm"
    write_rows(crm / "2026-12-01" / "Opportunity.csv", [
        _deal("O4", "U1", "8000", "2026-03-05"), _deal("O3", "U2", "12000", "2026-11-20"),
    ])
    batches = {
        "2026-02-15": [
            _invoice("INV-1", "O1", "33333", "2026-02-09", "partially_paid", "12345.67", "2026-02-05"),
            _invoice("INV-2", "O2", "3000", "2026-02-14", "open"),
        ],
        "2026-03-01": [_invoice("INV-2", "O2", "3000", "2026-02-14", "written_off")],
        "2026-04-01": [_invoice("INV-1", "O1", "33333", "2026-02-09", "paid", "33333", "2026-03-20")],
        "2026-12-01": [
            _invoice("INV-4", "O4", "8000", "2026-04-04", "paid", "8000", "2026-07-01"),
            _invoice("INV-3", "O3", "12000", "2026-12-20", "open", invoiced="2026-11-20"),
        ],
        "2027-01-15": [_invoice("INV-3", "O3", "12000", "2026-12-20", "paid", "12000", "2027-01-10", "2026-11-20")],
    }
    for batch, rows in batches.items():
        write_rows(crm / batch / "Invoice.csv", rows)


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    root = tmp_path_factory.mktemp("earning_holds")
    paths = paths_under(root)
    saved = dict(os.environ)
    os.environ["DAGSTER_HOME"] = str(root / "dagster_home")
    try:
        _write_company(paths)
        run_daily(paths, "2027-01")  # without the forecasts (tests/support/ledger.py)
        yield paths
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_the_hold_mart_shows_earned_released_written_off_expired_and_held(company):
    rows = _query(
        company,
        """
        select employee_id, opportunity_id, period, earned_amount, released_amount, written_off_amount,
            expired_amount, held_amount
        from fct_earning_hold
        order by employee_id, opportunity_id, period
        """,
    )
    assert rows == [
        # O1: invoiced once, paid in two payments, released in two periods
        ("E1", "O1", "2026-01", D("3333.30"), D("0"), D("0"), D("0"), D("3333.30")),
        ("E1", "O1", "2026-02", D("0"), D("1234.57"), D("0"), D("0"), D("2098.73")),
        ("E1", "O1", "2026-03", D("0"), D("2098.73"), D("0"), D("0"), D("0")),
        # O4: unpaid 60 days after its due date: expired, the late payment releases nothing
        ("E1", "O4", "2026-03", D("800.00"), D("0"), D("0"), D("0"), D("800.00")),
        ("E1", "O4", "2026-06", D("0"), D("0"), D("0"), D("800.00"), D("0")),
        # O2: written off, never released
        ("E2", "O2", "2026-01", D("300.00"), D("0"), D("0"), D("0"), D("300.00")),
        ("E2", "O2", "2026-03", D("0"), D("0"), D("300.00"), D("0"), D("0")),
        # O3: paid after the plan year, released in that later period
        ("E2", "O3", "2026-11", D("1200.00"), D("0"), D("0"), D("0"), D("1200.00")),
        ("E2", "O3", "2027-01", D("0"), D("1200.00"), D("0"), D("0"), D("0")),
    ]


def test_attainment_and_commission_stay_on_bookings(company):
    assert _query(
        company,
        "select employee_id, period, commission_amount from fct_commission where commission_amount <> 0 order by 1, 2",
    ) == [
        ("E1", "2026-01", D("3333.30")), ("E1", "2026-03", D("800.00")),
        ("E2", "2026-01", D("300.00")), ("E2", "2026-11", D("1200.00")),
    ]


def test_the_payable_pays_the_releases_in_the_period_the_payment_lands(company):
    rows = _query(
        company,
        """
        select employee_id, period, earning_code, earnings_amount, payable_amount
        from fct_payable
        where payable_amount <> 0 or earnings_amount <> 0
        order by employee_id, period, earning_code
        """,
    )
    assert rows == [
        ("E1", "2026-02", "COMMISSION_RELEASE", D("1234.57"), D("1234.57")),
        ("E1", "2026-03", "COMMISSION_RELEASE", D("2098.73"), D("2098.73")),
        ("E2", "2027-01", "COMMISSION_RELEASE", D("1200.00"), D("1200.00")),
    ]


def test_the_payout_file_of_january_2027_has_the_release_line(company):
    files = sorted(company.export_dir.rglob("payout_2027-01.csv"))
    assert files, list(company.export_dir.rglob("*"))
    with files[-1].open(newline="") as handle:
        lines = [(r["employee_id"], r["earning_code"], r["amount"], r["plan_id"]) for r in csv.DictReader(handle)]
    assert lines == [("E2", "COMMISSION_RELEASE", "1200.00", "AE-2026")]


def test_the_statement_shows_the_held_and_released_amounts(company):
    pages = sorted((company.export_dir / "statements" / "2027-01").glob("E2*.html"))
    assert pages, sorted(p.name for p in (company.export_dir / "statements").rglob("*"))
    text = " ".join(re.sub(r"<[^>]+>", " ", pages[0].read_text(encoding="utf-8")).split())
    assert "Held until the customer pays the invoice" in text
    # O3: earned in 2026-11, 1,200.00 released this period, nothing still held
    assert re.search(r"O3 .*2026-11 0\.00 1,200\.00 0\.00 0\.00 0\.00", text), text[-3000:]
    assert "COMMISSION_RELEASE" in text


def test_the_accrual_journal_expenses_on_earning_and_holds_until_release(company):
    rows = _query(
        company,
        """
        select source_period, account_role, sum(debit) as debit, sum(credit) as credit
        from fct_journal_line
        where journal_type = 'ACCRUAL' and source_period in ('2026-01', '2026-02', '2026-03', '2026-06')
        group by source_period, account_role
        order by source_period, account_role
        """,
    )
    assert rows == [
        # January: 3,333.30 + 300.00 earned and held, nothing payable
        ("2026-01", "commission_expense", D("3633.30"), D("0")),
        ("2026-01", "held_commissions", D("0"), D("3633.30")),
        # February: the release moves 1,234.57 from held to accrued (payable)
        ("2026-02", "accrued_commissions", D("0"), D("1234.57")),
        ("2026-02", "held_commissions", D("1234.57"), D("0")),
        # March: O4's 800.00 earned and held less O2's 300.00 written off (expense taken back):
        # 500.00 expensed into held; O1's 2,098.73 released from held to accrued; held nets
        # to a debit of 2,098.73 - 500.00 = 1,598.73 (one line, fct_payout_line+int_earning_holds)
        ("2026-03", "accrued_commissions", D("0"), D("2098.73")),
        ("2026-03", "commission_expense", D("500.00"), D("0")),
        ("2026-03", "held_commissions", D("1598.73"), D("0")),
        # June: O4 expired, the expense taken back
        ("2026-06", "commission_expense", D("0"), D("800.00")),
        ("2026-06", "held_commissions", D("800.00"), D("0")),
    ]
