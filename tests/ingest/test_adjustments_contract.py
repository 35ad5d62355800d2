"""adjustments.csv (docs/payment_workflow.md, "Manual adjustments"): the row rules of the contract.

A manual adjustment is paid only when someone other than its requester
approved it: a row without an approver (or approval time) breaks
``adjustment_without_approver``, a row approved by its requester breaks
``adjustment_approved_by_requester``; both are quarantined with one line
naming the file, the row and the rule.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from assets.ingest import contract as c
from tests.support.landing import Folders, write_rows

APPROVED = {
    "employee_id": "E1",
    "period": "2026-03",
    "earning_code": "COMMISSION",
    "amount": "250.00",
    "currency": "EUR",
    "reason": "Missed split on O-17",
    "requested_by": "ana.sales-ops",
    "approved_by": "ben.finance",
    "approved_at": "2026-03-20T09:30:00Z",
    "inquiry_id": None,
}


@pytest.fixture
def folders(tmp_path) -> Folders:
    return Folders(tmp_path)


def test_an_approved_adjustment_is_loaded_exactly(folders):
    write_rows(folders.config / "adjustments.csv", [APPROVED])

    result = folders.ingest(c.CONFIG_ADJUSTMENTS)

    assert (result.rows_accepted, result.rows_quarantined) == (1, 0)
    row = folders.raw_rows(c.CONFIG_ADJUSTMENTS).row(0, named=True)
    assert (row["period"], row["amount"], row["currency"], row["approved_by"]) == (
        "2026-03",
        Decimal("250.00"),
        "EUR",
        "ben.finance",
    )


@pytest.mark.parametrize(
    ("change", "rule", "column"),
    [
        ({"approved_by": None}, c.RULE_ADJUSTMENT_WITHOUT_APPROVER, "approved_by"),
        ({"approved_by": " ANA.Sales-Ops "}, c.RULE_ADJUSTMENT_APPROVED_BY_REQUESTER, "approved_by"),
        ({"period": "2026-13"}, c.RULE_BAD_PERIOD, "period"),
        ({"period": "2026-03-01"}, c.RULE_BAD_PERIOD, "period"),
        ({"amount": "250,00"}, c.RULE_BAD_DECIMAL, "amount"),
        ({"currency": "EURO"}, c.RULE_UNKNOWN_CURRENCY, "currency"),
        ({"approved_at": "20/03/2026"}, c.RULE_BAD_DATETIME, "approved_at"),
    ],
)
def test_a_row_breaking_an_adjustment_rule_is_quarantined_with_it(folders, change, rule, column):
    write_rows(folders.config / "adjustments.csv", [APPROVED | {"reason": "ok"}, APPROVED | change])

    result = folders.ingest(c.CONFIG_ADJUSTMENTS)

    quarantine = folders.quarantine(c.CONFIG_ADJUSTMENTS)
    assert quarantine.select("source_row", "rule", "column_name").rows() == [(2, rule, column)]
    assert quarantine["message"][0].startswith("adjustments.csv row 2: ")
    assert (result.rows_accepted, result.rows_rejected) == (1, 1)


def test_a_row_with_no_approval_at_all_breaks_only_the_approval_rule(folders):
    write_rows(folders.config / "adjustments.csv", [APPROVED | {"approved_by": None, "approved_at": None}])

    folders.ingest(c.CONFIG_ADJUSTMENTS)

    assert folders.quarantine(c.CONFIG_ADJUSTMENTS).select("rule", "column_name").rows() == [
        (c.RULE_ADJUSTMENT_WITHOUT_APPROVER, "approved_by"),
        (c.RULE_ADJUSTMENT_WITHOUT_APPROVER, "approved_at"),
    ]
    assert folders.raw_rows(c.CONFIG_ADJUSTMENTS).is_empty()
