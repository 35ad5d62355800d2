"""The demo company's adjustments and inquiries (demo/workflow.py) keep the landing contract,
but for the one adjustment planted without an approver, and link as docs/payment_workflow.md says."""

from __future__ import annotations

import pytest

from assets.ingest import contract as c
from demo.people import build_org
from demo.workflow import adjustment_rows, inquiry_rows, workflow_payees
from tests.support.landing import Folders, write_rows


@pytest.fixture(scope="module")
def org():
    return build_org(40, 7)  # scale 0.2


def test_the_same_seed_gives_the_same_rows(org):
    again = build_org(40, 7)
    assert (adjustment_rows(org), inquiry_rows(org)) == (adjustment_rows(again), inquiry_rows(again))


def test_three_payees_one_adjustment_without_approver_quarantined(org, tmp_path):
    folders = Folders(tmp_path)
    write_rows(folders.config / "adjustments.csv", adjustment_rows(org))
    write_rows(folders.config / "inquiries.csv", inquiry_rows(org))

    adjustments = folders.ingest(c.CONFIG_ADJUSTMENTS)
    inquiries = folders.ingest(c.CONFIG_INQUIRIES)

    assert len(workflow_payees(org)) == 3
    assert (adjustments.rows_accepted, adjustments.rows_rejected) == (3, 1)
    assert folders.quarantine(c.CONFIG_ADJUSTMENTS).select("source_row", "rule").rows() == [
        (4, c.RULE_ADJUSTMENT_WITHOUT_APPROVER), (4, c.RULE_ADJUSTMENT_WITHOUT_APPROVER)]  # approver and time
    assert (inquiries.rows_accepted, inquiries.rows_rejected) == (5, 0)


def test_adjustments_resolve_resolved_inquiries_of_their_payee_in_the_payees_currency(org):
    people = {p.employee_id: p for p in org.people}
    inquiries = {r["inquiry_id"]: r for r in inquiry_rows(org)}
    linked = [a for a in adjustment_rows(org) if a["inquiry_id"]]
    assert [a["inquiry_id"] for a in linked] == ["INQ-0001", "INQ-0005"]
    for a in adjustment_rows(org):
        assert a["currency"] == people[a["employee_id"]].currency
    for a in linked:
        inquiry = inquiries[a["inquiry_id"]]
        assert (inquiry["employee_id"], inquiry["status"]) == (a["employee_id"], "resolved")
    assert sorted(r["status"] for r in inquiries.values()) == ["open", "open", "rejected", "resolved", "resolved"]
