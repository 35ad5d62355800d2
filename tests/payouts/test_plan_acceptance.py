"""Publishing and plan acceptance (docs/payment_workflow.md, "Plan documents and acceptance").

Two payees are paid in 2026-03 under AE-FULL (tests/support/plans.py), E1 with quota 1,200,000 and
TI 60,000, E2 with quota 900,000 and TI 45,000 (EUR). Their current documents are rendered by the
plan_documents code; an acceptance counts only with the current document's SHA-256: E1 accepted
it, E2 accepted the document of an earlier quota (800,000): publishing warns about E2, or refuses
with SPM_PLAN_ACCEPTANCE=refuse.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import duckdb
import pytest

from assets.ingest.plans import load_plans
from assets.payouts import checks as payout_checks
from assets.payouts.extract import PayoutLine
from assets.payouts.plan_acceptance import PLAN_ACCEPTANCE_CHECK, check_plan_acceptance, current_documents, plan_documents_dir
from assets.payouts.publication import plan_acceptance_outcome
from assets.statements.plan_document import PayeePlanYear, PlanDocumentInput, document_sha256, plan_terms, render_plan_documents
from assets.statements.writer import write_set
from core.failures import is_user_error
from tests.support.plans import FULL_PLAN, write_plan

PERIOD = "2026-03"
E1 = PayeePlanYear("E1", "AE-FULL", 2026, "EUR", Decimal("1200000"), Decimal("60000"))
E2 = PayeePlanYear("E2", "AE-FULL", 2026, "EUR", Decimal("900000"), Decimal("45000"))
E2_DRAFT = PayeePlanYear("E2", "AE-FULL", 2026, "EUR", Decimal("800000"), Decimal("45000"))


def _line(employee_id: str, amount: str, plan_id: str = "AE-FULL", code: str = "COMMISSION") -> PayoutLine:
    return PayoutLine(PERIOD, employee_id, employee_id, "CC-1", code, "EUR", Decimal(amount), date(2026, 4, 15),
                      plan_id, "calc-1")


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    config = tmp_path_factory.mktemp("config")
    write_plan(config, "ae_full.yaml", FULL_PLAN)
    (plan,) = load_plans(config)
    return plan


@pytest.fixture(scope="module")
def export_dir(tmp_path_factory, plan):
    export = tmp_path_factory.mktemp("exports")
    write_set(plan_documents_dir(export), render_plan_documents(
        [PlanDocumentInput(p, plan, p.employee_id, "en_US") for p in (E1, E2)]))
    return export


def _sha(payee, plan) -> str:
    return document_sha256(plan_terms(payee, plan))


def test_an_acceptance_of_the_current_document_passes(export_dir, plan):
    accepted = {("E1", "AE-FULL", 2026, _sha(E1, plan)), ("E2", "AE-FULL", 2026, _sha(E2, plan))}
    outcome = check_plan_acceptance([_line("E1", "100.00"), _line("E2", "50.00")], 2026, current_documents(export_dir), accepted)
    assert outcome.passed, outcome.message
    assert outcome.message == "all 2 paid payee plan(s) have an accepted current plan document"


def test_an_acceptance_of_an_earlier_document_warns(export_dir, plan):
    accepted = {("E1", "AE-FULL", 2026, _sha(E1, plan)), ("E2", "AE-FULL", 2026, _sha(E2_DRAFT, plan))}
    outcome = check_plan_acceptance([_line("E1", "100.00"), _line("E2", "50.00")], 2026, current_documents(export_dir), accepted)
    assert (outcome.passed, outcome.blocking) == (False, False)
    assert outcome.details["accepted_an_earlier_document"] == ["E2 AE-FULL 2026"]
    assert outcome.details["not_accepted"] == []
    assert payout_checks.refusal_message(PERIOD, [outcome]) is None  # a warning: publishing goes on


def test_refused_when_configured_and_nothing_accepted(export_dir, plan):
    accepted = {("E1", "AE-FULL", 2026, _sha(E1, plan))}
    outcome = check_plan_acceptance([_line("E1", "100.00"), _line("E2", "50.00")], 2026, current_documents(export_dir),
                                    accepted, refuse=True)
    assert outcome.blocking and not outcome.passed
    assert payout_checks.refusal_message(PERIOD, [outcome]) == (
        "Refusing to publish 2026-03: blocking check(s) failed: plan_documents_accepted: 1 paid payee plan(s) "
        "without an acceptance of the current plan document: E2 AE-FULL 2026")


def test_only_paid_lines_count_and_a_plan_without_a_document_is_named(export_dir, plan):
    accepted = {("E1", "AE-FULL", 2026, _sha(E1, plan))}
    lines = [_line("E1", "100.00"), _line("E2", "0.00"), _line("E3", "10.00", plan_id="MGR-2026")]
    outcome = check_plan_acceptance(lines, 2026, current_documents(export_dir), accepted)
    assert outcome.details["without_document"] == ["E3 MGR-2026"] and outcome.details["payees_paid"] == 2


def test_a_retro_line_of_last_years_plan_is_matched_to_that_years_document(export_dir, plan):
    accepted = {("E1", "AE-FULL", 2026, _sha(E1, plan))}
    outcome = check_plan_acceptance([_line("E1", "100.00")], 2027, current_documents(export_dir), accepted)
    assert outcome.passed


def test_without_documents_publishing_is_told_to_write_them(tmp_path):
    outcome = check_plan_acceptance([_line("E1", "1.00")], 2026, current_documents(tmp_path), set())
    assert not outcome.passed and "materialize plan_documents" in outcome.message


@pytest.fixture
def warehouse(tmp_path, plan):
    path = tmp_path / "spm.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table dim_period as select '2026-03' as period, 2026 as plan_year")
        con.execute("create table fct_plan_acceptance (employee_id varchar, plan_id varchar, plan_year integer, "
                    "document_sha256 varchar, accepted_at timestamptz)")
        con.execute("insert into fct_plan_acceptance values (?, 'AE-FULL', 2026, ?, '2026-01-05 09:00:00+00')",
                    ["E1", _sha(E1, plan)])
        con.execute("insert into fct_plan_acceptance values (?, 'AE-FULL', 2026, ?, '2026-01-05 09:00:00+00')",
                    ["E2", _sha(E2_DRAFT, plan)])
    return path


@pytest.mark.parametrize(("mode", "blocking"), [(None, False), ("warn", False), ("refuse", True)])
def test_publication_reads_the_marts_and_the_setting(monkeypatch, warehouse, export_dir, mode, blocking):
    if mode is None:
        monkeypatch.delenv("SPM_PLAN_ACCEPTANCE", raising=False)
    else:
        monkeypatch.setenv("SPM_PLAN_ACCEPTANCE", mode)
    settings = SimpleNamespace(warehouse=warehouse, export_dir=export_dir)
    outcome = plan_acceptance_outcome(settings, PERIOD, [_line("E1", "100.00"), _line("E2", "50.00")])
    assert (outcome.name, outcome.passed, outcome.blocking) == (PLAN_ACCEPTANCE_CHECK, False, blocking)
    assert outcome.details["accepted_an_earlier_document"] == ["E2 AE-FULL 2026"]


def test_a_bad_setting_is_one_line(monkeypatch, warehouse, export_dir):
    monkeypatch.setenv("SPM_PLAN_ACCEPTANCE", "maybe")
    with pytest.raises(Exception, match="SPM_PLAN_ACCEPTANCE must be one of warn, refuse, not 'maybe'") as raised:
        plan_acceptance_outcome(SimpleNamespace(warehouse=warehouse, export_dir=export_dir), PERIOD, [])
    assert is_user_error(raised.value)
