"""Invoice (docs/payment_workflow.md, "Holds and releases"): the row rules of the ERP invoices.

An invoice lands in a CRM batch as of the extract, paid_amount to date
(cumulative) and paid_date the last payment's date; a row that breaks a rule
is quarantined with one line naming the file, the row and the rule.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from assets.ingest import contract as c
from tests.support.landing import Folders, write_rows

PARTLY_PAID = {
    "invoice_id": "INV-1",
    "opportunity_id": "O1",
    "account_id": "A1",
    "amount": "10000.00",
    "currency": "EUR",
    "invoice_date": "2026-02-10",
    "due_date": "2026-03-12",
    "paid_amount": "4000.00",
    "paid_date": "2026-03-05",
    "status": "partially_paid",
}


@pytest.fixture
def folders(tmp_path) -> Folders:
    return Folders(tmp_path)


def test_an_invoice_is_loaded_exactly(folders):
    write_rows(folders.crm("2026-03-31", "Invoice.csv"), [
        PARTLY_PAID, PARTLY_PAID | {"invoice_id": "INV-2", "paid_amount": None, "paid_date": None, "status": "open"},
    ])

    result = folders.ingest(c.ERP_INVOICE)

    assert (result.rows_accepted, result.rows_quarantined) == (2, 0)
    rows = folders.raw_rows(c.ERP_INVOICE).sort("invoice_id")
    assert rows.select("invoice_id", "amount", "paid_amount", "paid_date", "status").rows() == [
        ("INV-1", Decimal("10000.00"), Decimal("4000.00"), date(2026, 3, 5), "partially_paid"),
        ("INV-2", Decimal("10000.00"), None, None, "open"),
    ]


@pytest.mark.parametrize(
    ("change", "rule", "column", "message"),
    [
        ({"status": "void"}, c.RULE_NOT_ALLOWED, "status",
         "status 'void' is not one of open, partially_paid, paid, written_off"),
        ({"paid_date": None}, c.RULE_MISSING_VALUE, "paid_date", "paid_date is missing (paid_amount is not 0)"),
        ({"paid_amount": "-5"}, c.RULE_OUT_OF_RANGE, "paid_amount", "paid_amount '-5' is out of range (must be at least 0)"),
        ({"amount": "10.000,00"}, c.RULE_BAD_DECIMAL, "amount", "amount '10.000,00' is not a decimal"),
        ({"due_date": "12/03/2026"}, c.RULE_BAD_DATE, "due_date", "due_date '12/03/2026' is not a date (YYYY-MM-DD)"),
        ({"opportunity_id": None}, c.RULE_MISSING_VALUE, "opportunity_id", "opportunity_id is missing"),
    ],
    ids=["status", "paid-without-date", "negative-payment", "amount", "due-date", "no-deal"],
)
def test_a_row_breaking_an_invoice_rule_is_quarantined_with_one_line(folders, change, rule, column, message):
    write_rows(folders.crm("2026-03-31", "Invoice.csv"), [PARTLY_PAID | {"invoice_id": "INV-0"}, PARTLY_PAID | change])

    result = folders.ingest(c.ERP_INVOICE)

    quarantine = folders.quarantine(c.ERP_INVOICE)
    assert quarantine.select("source_row", "rule", "column_name").rows() == [(2, rule, column)]
    assert quarantine["message"][0] == f"crm/2026-03-31/Invoice.csv row 2: {message}"
    assert (result.rows_accepted, result.rows_rejected) == (1, 1)


def test_nothing_paid_needs_no_paid_date(folders):
    write_rows(folders.crm("2026-03-31", "Invoice.csv"), [PARTLY_PAID | {"paid_amount": "0", "paid_date": None, "status": "open"}])

    assert folders.ingest(c.ERP_INVOICE).rows_quarantined == 0
