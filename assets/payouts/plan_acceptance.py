"""Publishing and plan acceptance (docs/payment_workflow.md, "Plan documents and acceptance"):
the check that every payee a period pays has accepted the current document of the plan that
pays them (pure function; publication.py reads its inputs).

The current document of a payee's plan for a pay period is the plan_documents asset's document
of that payee, plan and the period's plan year; a line of an earlier plan year's plan (a retro
adjustment paid in January) is matched to that plan's newest document up to the period's plan
year. An acceptance counts only with the current document's SHA-256: an acceptance of an
earlier SHA-256 (the plan, quota or TI changed since) is reported as such. ``refuse`` makes the
check blocking (SPM_PLAN_ACCEPTANCE=refuse); otherwise publishing warns and goes on.
"""

from __future__ import annotations

import json
from pathlib import Path

from assets.payouts.checks import CheckOutcome, _examples
from assets.payouts.extract import PayoutLine

PLAN_ACCEPTANCE_CHECK = "plan_documents_accepted"
# Where the plan_documents asset (assets/statements/plan_document.py) writes the documents and
# their manifest, read here.
PLAN_DOCUMENTS_DIR = "plan_documents"
PLAN_DOCUMENTS_MANIFEST = "plan_documents.json"


def plan_documents_dir(export_dir) -> Path:
    return Path(export_dir) / PLAN_DOCUMENTS_DIR


def current_documents(export_dir) -> dict[tuple[str, str, int], str] | None:
    """(employee, plan, plan year) -> the current document's SHA-256, from the manifest the
    plan_documents asset wrote; None when it has not written one."""
    path = plan_documents_dir(export_dir) / PLAN_DOCUMENTS_MANIFEST
    if not path.exists():
        return None
    manifest = json.loads(path.read_text(encoding="utf-8"))
    return {(d["employee_id"], d["plan_id"], int(d["plan_year"])): d["document_sha256"] for d in manifest["documents"]}


def _document_year(documents: dict[tuple[str, str, int], str], employee_id: str, plan_id: str, plan_year: int) -> int | None:
    years = [y for (e, p, y) in documents if e == employee_id and p == plan_id and y <= plan_year]
    return max(years) if years else None


def check_plan_acceptance(
    lines: list[PayoutLine],
    plan_year: int,
    documents: dict[tuple[str, str, int], str] | None,
    acceptances: set[tuple[str, str, int, str]],
    refuse: bool = False,
) -> CheckOutcome:
    """``documents``: (employee, plan, plan year) -> current document SHA-256 (None: never written);
    ``acceptances``: (employee, plan, plan year, accepted SHA-256)."""
    paid = sorted({(l.employee_id, l.plan_id) for l in lines if l.plan_id and l.amount != 0})
    if documents is None:
        message = "no plan documents have been written (materialize plan_documents): no acceptance can be checked"
        return CheckOutcome(PLAN_ACCEPTANCE_CHECK, False, refuse, message, {"payees_paid": len(paid)})
    missing_document, not_accepted, outdated = [], [], []
    for employee_id, plan_id in paid:
        year = _document_year(documents, employee_id, plan_id, plan_year)
        if year is None:
            missing_document.append(f"{employee_id} {plan_id}")
            continue
        current = documents[(employee_id, plan_id, year)]
        if (employee_id, plan_id, year, current) in acceptances:
            continue
        earlier = any(a[:3] == (employee_id, plan_id, year) for a in acceptances)
        (outdated if earlier else not_accepted).append(f"{employee_id} {plan_id} {year}")
    problems = len(missing_document) + len(not_accepted) + len(outdated)
    details = {"payees_paid": len(paid), "not_accepted": not_accepted, "accepted_an_earlier_document": outdated,
               "without_document": missing_document}
    if not problems:
        return CheckOutcome(PLAN_ACCEPTANCE_CHECK, True, refuse,
                            f"all {len(paid)} paid payee plan(s) have an accepted current plan document", details)
    parts = []
    if not_accepted:
        parts.append(f"{len(not_accepted)} paid payee plan(s) without an acceptance of the current plan document: "
                     + _examples(not_accepted))
    if outdated:
        parts.append(f"{len(outdated)} accepted an earlier version of the plan document only (plan, quota or TI "
                     "changed since): " + _examples(outdated))
    if missing_document:
        parts.append(f"{len(missing_document)} without a plan document: " + _examples(missing_document))
    return CheckOutcome(PLAN_ACCEPTANCE_CHECK, False, refuse, "; ".join(parts), details)
