"""The demo company's ERP invoices (demo/invoices.py): a deal's invoice as of each batch,
computed by hand from its number and the seed (bucket = (n x 37 + seed x 11) mod 100)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl

from assets.ingest.contract import ERP_INVOICE
from demo.invoices import InvoiceBook, WonDeal, invoice_rows

SEED = 7


def _deal(n: int) -> WonDeal:
    return WonDeal(f"006DM{n:013d}", "001DM1", Decimal("1000.01"), "EUR", date(2026, 3, 1))


def _states(n: int, *as_of: date) -> list[tuple]:
    deals = {_deal(n).opportunity_id: _deal(n)}
    return [
        tuple(row[c] for c in ("invoice_date", "due_date", "paid_amount", "paid_date", "status"))
        for day in as_of for row in invoice_rows(deals, day, SEED)
    ]


def test_a_deal_paid_in_two_halves_is_partially_paid_then_paid():
    # n = 5: bucket (185 + 77) mod 100 = 62 (two halves); invoiced 2026-03-01 + 5 % 7 = 03-06, due 04-05;
    # 500.00 on the due date, 500.01 forty days later
    assert _states(5, date(2026, 3, 5), date(2026, 4, 30), date(2026, 5, 31)) == [
        ("2026-03-06", "2026-04-05", "500.00", "2026-04-05", "partially_paid"),
        ("2026-03-06", "2026-04-05", "1000.01", "2026-05-15", "paid"),
    ]


def test_a_written_off_invoice_is_open_until_written_off():
    # n = 3: bucket 88 (written off 100 days after the due date 2026-04-03: 2026-07-12), nothing paid
    assert _states(3, date(2026, 7, 11), date(2026, 7, 12)) == [
        ("2026-03-04", "2026-04-03", None, None, "open"),
        ("2026-03-04", "2026-04-03", None, None, "written_off"),
    ]


def test_a_late_payment_lands_75_days_after_the_due_date():
    # n = 8: bucket 73; due 2026-04-01, paid 2026-06-15
    assert _states(8, date(2026, 6, 14), date(2026, 6, 15))[1] == ("2026-03-02", "2026-04-01", "1000.01", "2026-06-15", "paid")
    assert _states(8, date(2026, 6, 14))[0][-1] == "open"


def test_the_book_follows_the_newest_version_of_each_deal():
    book = InvoiceBook(SEED)
    won = {"Id": "006DM0000000000005", "AccountId": "001DM1", "Amount": "1000.01", "CurrencyIsoCode": "EUR",
           "CloseDate": "2026-03-01", "IsWon": "true", "IsDeleted": "false", "LastModifiedDate": "2026-03-01T10:00:00Z"}
    book.update(pl.DataFrame([won]))
    frame = book.frame(date(2026, 4, 30))
    assert frame.columns == list(ERP_INVOICE.column_names)
    assert frame.select("invoice_id", "status").rows() == [("INV-000000005", "partially_paid")]
    book.update(pl.DataFrame([won | {"IsWon": "false", "LastModifiedDate": "2026-05-01T10:00:00Z"}]))
    assert book.frame(date(2026, 5, 31)).is_empty()
