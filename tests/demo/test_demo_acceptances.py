"""The demo generator's plan document acceptances (demo/acceptances.py): the SHA-256 it lands is
the one the pipeline's plan document of the same payee, plan and year has (the same plan_terms
over the same inputs); by the rule on the employee id a few payees accept nothing (bucket < 6,
E00032) and a few a draft with a 10% lower quota (bucket 6-8, E00006)."""

from __future__ import annotations

from decimal import Decimal

from assets.ingest.plans import load_plans
from assets.statements.plan_document import PayeePlanYear, document_sha256, plan_terms
from demo.acceptances import acceptance_rows
from tests.support.plans import FULL_PLAN, write_plan

WORKERS = [  # two HR batches: the newest row gives the TI, as dim_payee
    {"employee_id": "E00001", "currency": "EUR", "annual_target_incentive": "50000.00"},
    {"employee_id": "E00001", "currency": "EUR", "annual_target_incentive": "60000.00"},
    {"employee_id": "E00006", "currency": "EUR", "annual_target_incentive": "40000.00"},
    {"employee_id": "E00032", "currency": "EUR", "annual_target_incentive": "40000.00"},
]


def test_acceptances_carry_the_documents_sha256_and_a_few_do_not(tmp_path):
    write_plan(tmp_path, "ae_full.yaml", FULL_PLAN)
    (plan,) = load_plans(tmp_path)
    assignments = [{"employee_id": e, "plan_id": "AE-FULL", "start_date": "2026-01-01", "end_date": "2026-12-31"}
                   for e in ("E00001", "E00006", "E00032")]
    quotas = [{"employee_id": e, "plan_year": "2026", "annual_quota": "1200000.00", "currency": "EUR"}
              for e in ("E00001", "E00006", "E00032")]

    rows = acceptance_rows(tmp_path, assignments, quotas, WORKERS)

    by_payee = {r["employee_id"]: r for r in rows}
    assert sorted(by_payee) == ["E00001", "E00006"]  # E00032 accepted nothing
    current = PayeePlanYear("E00001", "AE-FULL", 2026, "EUR", Decimal("1200000"), Decimal("60000"))
    assert by_payee["E00001"]["document_sha256"] == document_sha256(plan_terms(current, plan))
    assert by_payee["E00001"]["accepted_at"] == "2026-01-13T09:09:00Z"  # bucket 69: 3 + 9 days, minute 09
    draft = PayeePlanYear("E00006", "AE-FULL", 2026, "EUR", Decimal("1080000"), Decimal("40000"))
    actual = PayeePlanYear("E00006", "AE-FULL", 2026, "EUR", Decimal("1200000"), Decimal("40000"))
    assert by_payee["E00006"]["document_sha256"] == document_sha256(plan_terms(draft, plan))
    assert by_payee["E00006"]["document_sha256"] != document_sha256(plan_terms(actual, plan))
