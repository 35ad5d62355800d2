"""The demo company's plan document acceptances (config ``plan_acceptances.csv``, as an e-sign
tool would export them; docs/payment_workflow.md, "Plan documents and acceptance").

An acceptance names a document by its SHA-256, which is over the document's terms
(assets/statements/plan_document.py): the payee, plan, plan year, currency, annual quota, TI and
the validated plan definition. The generator knows each of them from the files it writes (the
plan YAML as :func:`assets.ingest.plans.load_plans` reads it back, quotas.csv, the newest HR
batch's TI), so it computes the same SHA-256 with the same function the pipeline's
``plan_documents`` asset uses, without running the pipeline.

Most payees accepted their current document of every plan and plan year they are assigned to;
by a fixed rule on the employee id (no random stream, so the other streams do not move) about 6%
accepted nothing and about 3% accepted an earlier version of the document (the quota of a draft
10% lower): publishing warns about both.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from assets.ingest.plans import load_plans
from assets.statements.plan_document import PayeePlanYear, document_sha256, plan_terms

MISSING_PERCENT = 6  # accepted nothing
OUTDATED_PERCENT = 3  # accepted a draft with a different quota
DRAFT_QUOTA_SHARE = Decimal("0.9")


def _bucket(employee_id: str) -> int:
    return int(hashlib.sha256(employee_id.encode()).hexdigest()[:8], 16) % 100


def acceptance_rows(config_dir: Path, assignments: list[dict], quotas: list[dict], workers: list[dict]) -> list[dict]:
    """One acceptance per payee, plan and plan year with a quota (``workers``: the HR batches' rows,
    oldest batch first: the newest row of a payee gives the TI, as dim_payee does)."""
    plans = {p.plan_id: p for p in load_plans(config_dir)}
    quota = {(q["employee_id"], int(q["plan_year"])): q for q in quotas}
    newest = {w["employee_id"]: w for w in workers}
    rows, seen = [], set()
    for a in sorted(assignments, key=lambda a: (a["employee_id"], a["start_date"], a["plan_id"])):
        employee_id, plan_id = a["employee_id"], a["plan_id"]
        start = date.fromisoformat(a["start_date"])
        key = (employee_id, plan_id, start.year)
        q, worker, plan = quota.get((employee_id, start.year)), newest.get(employee_id), plans.get(plan_id)
        bucket = _bucket(employee_id)
        if key in seen or q is None or worker is None or plan is None or bucket < MISSING_PERCENT:
            continue
        seen.add(key)
        annual_quota = Decimal(q["annual_quota"])
        if bucket < MISSING_PERCENT + OUTDATED_PERCENT:
            annual_quota = annual_quota * DRAFT_QUOTA_SHARE
        payee = PayeePlanYear(employee_id, plan_id, start.year, worker["currency"], annual_quota,
                              Decimal(worker["annual_target_incentive"]))
        accepted = max(start, date(start.year, 1, 1)) + timedelta(days=3 + bucket % 10)
        rows.append({
            "employee_id": employee_id,
            "plan_id": plan_id,
            "plan_year": str(start.year),
            "document_sha256": document_sha256(plan_terms(payee, plan)),
            "accepted_at": f"{accepted.isoformat()}T09:{bucket % 60:02d}:00Z",
        })
    return rows
