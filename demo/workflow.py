"""The demo company's payment workflow configuration (docs/payment_workflow.md).

* ``adjustments.csv``: three approved manual adjustments, two of them resolving
  inquiries (the anchor AE's corrected split, a SPIF paid late), one deduction,
  and one row without an approver, which the landing contract quarantines
  (``adjustment_without_approver``) and nobody is paid.
* ``inquiries.csv``: five inquiries of three AEs: two resolved by those
  adjustments, one rejected, two open (one 56 days old at the as-of date
  2026-11-27, so publishing warns with the default SPM_INQUIRY_WARN_DAYS 30).

Amounts are whole units of the payee's currency; every date is fixed (demo/clock.py).
The payees are the anchor AE (employed throughout, owner of the scripted deals)
and the first two other AEs by employee id employed, without a promotion, from
before 2025-10 to after the as-of date and on a plan in October 2026; a smaller
company without them gets the anchor's rows only.
"""

from __future__ import annotations

from datetime import date

from demo.clock import AS_OF
from demo.deals import SCRIPTED, scripted_deal_ids
from demo.people import Org, plan_assignment_rows

APPROVED_BY = "ben.finance"
REQUESTED_BY = "ana.salesops"


def _deal(story: str) -> str:
    """The opportunity id of a scripted deal, by its story."""
    index = next(i for i, d in enumerate(SCRIPTED) if d.story == story)
    return scripted_deal_ids()[index]["opportunity_id"]


def workflow_payees(org: Org) -> list[str]:
    """The anchor AE, then up to two other AEs employed throughout and on a plan in October 2026."""
    anchor = org.people[org.anchor]
    on_plan = {
        row["employee_id"]
        for row in plan_assignment_rows(org)
        if row["start_date"] <= "2026-10-01" and row["end_date"] >= "2026-10-31"
    }
    others = [
        p.employee_id
        for p in sorted(org.people, key=lambda p: p.employee_id)
        if p.index != org.anchor and p.role == anchor.role and p.promoted_on is None
        and p.hire < date(2025, 10, 1) and (p.termination is None or p.termination > AS_OF)
        and p.employee_id in on_plan
    ]
    return [anchor.employee_id, *others[:2]]


def _adjustment(person, period, earning_code, amount, reason, inquiry_id=None, approved_by=APPROVED_BY,
                approved_at="2026-11-03T10:00:00Z") -> dict:
    return {
        "employee_id": person.employee_id, "period": period, "earning_code": earning_code, "amount": amount,
        "currency": person.currency, "reason": reason, "requested_by": REQUESTED_BY, "approved_by": approved_by,
        "approved_at": approved_at if approved_by else None, "inquiry_id": inquiry_id,
    }


def _inquiry(inquiry_id, person, period, category, text, opened_at, status="open", resolution=None,
             resolved_at=None, opportunity_id=None) -> dict:
    return {
        "inquiry_id": inquiry_id, "employee_id": person.employee_id, "period": period,
        "opportunity_id": opportunity_id, "category": category, "text": text, "opened_at": opened_at,
        "status": status, "resolution": resolution, "resolved_at": resolved_at,
    }


def _people(org: Org):
    by_id = {p.employee_id: p for p in org.people}
    payees = [by_id[e] for e in workflow_payees(org)]
    anchor = payees[0]
    return anchor, (payees[1] if len(payees) > 1 else anchor), (payees[2] if len(payees) > 2 else anchor)


def adjustment_rows(org: Org) -> list[dict]:
    anchor, second, third = _people(org)
    split_deal = _deal("won, split 50/50 with the owner's manager")
    return [
        _adjustment(anchor, "2026-10", "COMMISSION", "420.00", f"Split on {split_deal} corrected to 60/40",
                    inquiry_id="INQ-0001", approved_at="2026-10-28T15:00:00Z"),
        _adjustment(third, "2026-10", "SPIF", "250.00", "SPIF for a deal logged after the cut-off",
                    inquiry_id="INQ-0005"),
        _adjustment(third, "2026-10", "COMMISSION", "-75.00", "Duplicate credit reversed"),
        # no approver: quarantined at ingest (adjustment_without_approver), never paid
        _adjustment(second, "2026-10", "BONUS", "1000.00", "Goodwill bonus", approved_by=None),
    ]


def inquiry_rows(org: Org) -> list[dict]:
    anchor, second, third = _people(org)
    return [
        _inquiry("INQ-0001", anchor, "2026-05", "wrong_split", "My split on this deal should be 60%, not 50%.",
                 "2026-06-03T09:15:00Z", status="resolved",
                 resolution="Split 60/40 agreed with sales ops; the difference is paid in 2026-10.",
                 resolved_at="2026-10-28T15:00:00Z",
                 opportunity_id=_deal("won, split 50/50 with the owner's manager")),
        _inquiry("INQ-0002", anchor, "2026-09", "missing_credit", "The corrected amount of this deal is not credited.",
                 "2026-10-02T08:00:00Z", opportunity_id=_deal("won, amount corrected in batch 2026-10-31")),
        _inquiry("INQ-0003", second, "2026-10", "rate", "Which tier rate applies to my October deals?",
                 "2026-11-20T14:30:00Z"),
        _inquiry("INQ-0004", second, "2026-08", "other", "Why was the summer SPIF not paid?",
                 "2026-09-05T11:00:00Z", status="rejected",
                 resolution="The SPIF ended on 2026-07-31; no deal of August qualifies.",
                 resolved_at="2026-09-12T16:45:00Z"),
        _inquiry("INQ-0005", third, "2026-09", "missing_credit", "A SPIF deal of September is missing.",
                 "2026-10-10T10:00:00Z", status="resolved", resolution="Paid as a manual adjustment in 2026-10.",
                 resolved_at="2026-11-03T10:00:00Z"),
    ]
