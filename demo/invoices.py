"""The ERP's invoices and payments of the demo company's won deals (landing dataset
``Invoice``, docs/payment_workflow.md "Holds and releases").

Each won deal gets one invoice in the deal's currency for its amount, issued
0-6 days after the close date and due 30 days later. Its payments follow from
the deal number and the seed alone (deterministic, no random stream), as of
each CRM batch (paid to date, cumulative):

* 55 %: paid in full between 10 days before and 4 days after the due date;
* 15 %: paid in two halves, on the due date and 40 days later (partial);
* 12 %: paid in full 75 days late;
* 6 %: paid in full 120 days late (after a 90-day expiry);
* 5 %: written off 100 days after the due date, nothing paid;
* 7 %: still open, nothing paid.

A batch lands every invoice issued by its extract date, as of that date; a deal
no longer won drops out of later batches (its invoice stays as last landed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import polars as pl

from assets.ingest.contract import ERP_INVOICE
from demo.deals import OPPORTUNITY_PREFIX
from demo.output import as_text_frame

INVOICE_PREFIX = "INV-"
DUE_DAYS = 30


@dataclass(frozen=True)
class WonDeal:
    opportunity_id: str
    account_id: str | None
    amount: Decimal
    currency: str
    close: date


def _number(opportunity_id: str) -> int:
    """The deal's number (the digits after the Salesforce prefix)."""
    tail = opportunity_id.removeprefix(OPPORTUNITY_PREFIX)
    return int("".join(ch for ch in tail if ch.isdigit()) or 0)


def _schedule(deal: WonDeal, seed: int) -> tuple[date, date, list[tuple[date, Decimal]], date | None]:
    """Invoice date, due date, payments (date, amount) and write-off date of a deal's invoice."""
    n = _number(deal.opportunity_id)
    invoiced = deal.close + timedelta(days=n % 7)
    due = invoiced + timedelta(days=DUE_DAYS)
    bucket = (n * 37 + seed * 11) % 100
    if bucket < 55:
        return invoiced, due, [(due + timedelta(days=n % 15 - 10), deal.amount)], None
    if bucket < 70:
        half = (deal.amount / 2).quantize(Decimal("0.01"))
        return invoiced, due, [(due, half), (due + timedelta(days=40), deal.amount - half)], None
    if bucket < 82:
        return invoiced, due, [(due + timedelta(days=75), deal.amount)], None
    if bucket < 88:
        return invoiced, due, [(due + timedelta(days=120), deal.amount)], None
    if bucket < 93:
        return invoiced, due, [], due + timedelta(days=100)
    return invoiced, due, [], None


def invoice_rows(deals: dict[str, WonDeal], as_of: date, seed: int) -> list[dict]:
    """The invoices issued by ``as_of``, as of that date, in deal order."""
    rows = []
    for opportunity_id in sorted(deals):
        deal = deals[opportunity_id]
        invoiced, due, payments, written_off = _schedule(deal, seed)
        if invoiced > as_of:
            continue
        paid = [(day, amount) for day, amount in payments if day <= as_of]
        paid_to_date = sum((amount for _, amount in paid), Decimal("0"))
        if written_off is not None and written_off <= as_of:
            status = "written_off"
        elif paid_to_date >= deal.amount:
            status = "paid"
        elif paid_to_date > 0:
            status = "partially_paid"
        else:
            status = "open"
        rows.append({
            "invoice_id": f"{INVOICE_PREFIX}{_number(opportunity_id):09d}",
            "opportunity_id": opportunity_id,
            "account_id": deal.account_id,
            "amount": f"{deal.amount:.2f}",
            "currency": deal.currency,
            "invoice_date": invoiced.isoformat(),
            "due_date": due.isoformat(),
            "paid_amount": f"{paid_to_date:.2f}" if paid else None,
            "paid_date": paid[-1][0].isoformat() if paid else None,
            "status": status,
        })
    return rows


class InvoiceBook:
    """The won deals of one block of deals as of the batches seen so far (newest version wins)."""

    def __init__(self, seed: int):
        self.seed = seed
        self.deals: dict[str, WonDeal] = {}

    def update(self, opportunities: pl.DataFrame) -> None:
        """Take a batch's Opportunity rows (text) into account: the newest row of each deal decides."""
        newest = opportunities.sort("Id", "LastModifiedDate").unique("Id", keep="last", maintain_order=True)
        for row in newest.iter_rows(named=True):
            won = row["IsWon"] == "true" and row["IsDeleted"] != "true" and row["Amount"] and row["CloseDate"]
            if not won or Decimal(row["Amount"]) <= 0:
                self.deals.pop(row["Id"], None)
                continue
            self.deals[row["Id"]] = WonDeal(
                row["Id"], row["AccountId"], Decimal(row["Amount"]), row["CurrencyIsoCode"],
                date.fromisoformat(row["CloseDate"]),
            )

    def frame(self, as_of: date) -> pl.DataFrame:
        return as_text_frame(invoice_rows(self.deals, as_of, self.seed), ERP_INVOICE.column_names)
