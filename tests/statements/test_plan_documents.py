"""Plan documents (docs/payment_workflow.md, "Plan documents and acceptance"): a hand-made payee's
document states the plan's rules in words with their own quota, TI, BCR, tiers and draws; its
SHA-256 is over the canonical terms; the same inputs give the same bytes.

Payee E1 on tests/support/plans.py FULL_PLAN (AE-FULL, 2026), in EUR, annual quota 1,200,000.00 and
target incentive 60,000.00. The commission component carries 0.8 of TI:
BCR = 0.8 x 60,000 / 1,200,000 = 0.04 = 4.00%; its bands x BCR: 0.5 x 4% = 2.00% on annual credit
0 to 600,000 (0-50% of quota), 1 x = 4.00% on 600,000-1,200,000, 1.5 x = 6.00% on 1,200,000-1,800,000,
2 x = 8.00% from 1,800,000; capped at 2 x TI = 120,000.00; nothing below 50% (gate). The retroactive
component weighs 1: BCR = 60,000 / 1,200,000 = 5.00%, 0.8 x = 4.00%, 1.2 x = 6.00%. Draw 3,000.00 a
month for the first 3 months, recoverable; clawback window 90 days.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import pytest

from assets.ingest.plans import load_plans
from assets.statements.plan_document import (
    PLAN_DOCUMENTS_MANIFEST,
    PayeePlanYear,
    PlanDocumentInput,
    component_bcr,
    document_sha256,
    plan_terms,
    render_plan_documents,
    terms_json,
)
from assets.payouts.plan_acceptance import current_documents
from assets.statements.writer import write_set
from tests.support.pdf import assert_valid_pdf, pdf_text, visible_text
from tests.support.plans import FULL_PLAN, write_plan

PAYEE = PayeePlanYear("E1", "AE-FULL", 2026, "EUR", Decimal("1200000.0000000000"), Decimal("60000.00"))
STEM = "E1_AE-FULL_2026"


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    config = tmp_path_factory.mktemp("config")
    write_plan(config, "ae_full.yaml", FULL_PLAN)
    (plan,) = load_plans(config)
    return plan


@pytest.fixture(scope="module")
def files(plan):
    return render_plan_documents([PlanDocumentInput(PAYEE, plan, "Ann Example", "en_US")])


def test_bcr_is_the_components_share_of_ti_over_quota(plan):
    commission, retro, bonus = plan.components[:3]
    assert component_bcr(commission, PAYEE) == Decimal("0.04")
    assert component_bcr(retro, PAYEE) == Decimal("0.05")
    assert component_bcr(bonus, PAYEE) is None


def test_the_document_states_the_payees_numbers_and_the_rules_in_words(files):
    text = visible_text(files[f"{STEM}.html"].decode("utf-8"))
    for expected in (
        "Compensation plan Account Executive, every rule (2026)",
        "Annual quota €1,200,000.00", "Target incentive (TI) €60,000.00",
        # the commission's tier table: band, x BCR, rate of credit, the payee's annual credit
        "1 0% – 50% 0.5× 2.00% 0.00 to 600,000.00",
        "2 50% – 100% 1× 4.00% 600,000.00 to 1,200,000.00",
        "3 100% – 150% 1.5× 6.00% 1,200,000.00 to 1,800,000.00",
        "4 ≥ 150% 2× 8.00% from 1,800,000.00",
        "1 0% – 100% 0.8× 4.00% 0.00 to 1,200,000.00",  # retroactive: BCR 5% x 0.8
        "Commission, marginal tiers (COMMISSION) 80% 4.00%",
        "Nothing is earned until attainment reaches 50%.",
        "capped at 2× your target incentive: €120,000.00.",
        "you are paid at least €3,000.00 a month for the first 3 month(s) of your plan. Recoverable draw",
        "within 90 days after its close date is clawed back",
        "A bonus of €2,000.00 when attainment reaches 100%, paid at the end of the quarter.",
        "Quarterly bonus at 100% (BONUS) – –",  # a fixed amount: no share of TI, no BCR
        "Counts deals of type New Business, Upsell only.",
    ):
        assert expected in text, expected


def test_the_sha256_is_over_the_canonical_terms_file(files):
    manifest = json.loads(files[PLAN_DOCUMENTS_MANIFEST])
    (entry,) = manifest["documents"]
    terms = files[f"{STEM}.terms.json"]
    assert entry["document_sha256"] == hashlib.sha256(terms).hexdigest()
    assert entry["document_sha256"] in visible_text(files[f"{STEM}.html"].decode("utf-8"))
    parsed = json.loads(terms)
    assert (parsed["annual_quota"], parsed["annual_target_incentive"], parsed["currency"]) == ("1200000", "60000", "EUR")
    assert manifest["files"][f"{STEM}.pdf"]["sha256"] == hashlib.sha256(files[f"{STEM}.pdf"]).hexdigest()


def test_the_pdf_prints_the_same_document(files):
    assert_valid_pdf(files[f"{STEM}.pdf"])
    text = " ".join(pdf_text(files[f"{STEM}.pdf"]).split())
    assert "Target incentive (TI)" in text and "€60,000.00" in text
    assert "600,000.00 to 1,200,000.00" in text


def test_rerun_writes_the_same_bytes(plan, files, tmp_path):
    again = render_plan_documents([PlanDocumentInput(PAYEE, plan, "Ann Example", "en_US")])
    assert again == files
    write_set(tmp_path / "plan_documents", again)
    assert current_documents(tmp_path) == {("E1", "AE-FULL", 2026): json.loads(files[PLAN_DOCUMENTS_MANIFEST])["documents"][0]["document_sha256"]}


def test_quota_written_differently_is_the_same_document_a_changed_quota_or_ti_a_new_one(plan):
    same = PayeePlanYear("E1", "AE-FULL", 2026, "EUR", Decimal("1200000"), Decimal("60000.0"))
    assert document_sha256(plan_terms(same, plan)) == document_sha256(plan_terms(PAYEE, plan))
    for changed in (PayeePlanYear("E1", "AE-FULL", 2026, "EUR", Decimal("1250000"), Decimal("60000")),
                    PayeePlanYear("E1", "AE-FULL", 2026, "EUR", Decimal("1200000"), Decimal("62000"))):
        assert document_sha256(plan_terms(changed, plan)) != document_sha256(plan_terms(PAYEE, plan))


def test_a_changed_plan_is_a_new_document_its_file_name_is_not(tmp_path, plan):
    write_plan(tmp_path, "renamed.yaml", FULL_PLAN.replace("clawback_window_days: 90", "clawback_window_days: 60"))
    (changed,) = load_plans(tmp_path)
    assert document_sha256(plan_terms(PAYEE, changed)) != document_sha256(plan_terms(PAYEE, plan))
    renamed = tmp_path / "other"
    write_plan(renamed, "another_name.yaml", FULL_PLAN)
    (same,) = load_plans(renamed)
    assert terms_json(plan_terms(PAYEE, same)) == terms_json(plan_terms(PAYEE, plan))


def test_an_unchanged_document_is_read_back_a_changed_or_damaged_one_rendered_again(plan, files, tmp_path, monkeypatch):
    from assets.statements import plan_document

    other = PayeePlanYear("E2", "AE-FULL", 2026, "EUR", Decimal("900000"), Decimal("45000"))
    inputs = [PlanDocumentInput(PAYEE, plan, "Ann Example", "en_US"), PlanDocumentInput(other, plan, "Bo Other", "de_DE")]
    first = render_plan_documents(inputs)
    folder = tmp_path / "plan_documents"
    write_set(folder, first)
    rendered = []
    real = plan_document.render_plan_document_files
    monkeypatch.setattr(plan_document, "render_plan_document_files", lambda job: rendered.append(job[0].payee.employee_id) or real(job))

    # nothing changed: nothing is rendered, every byte (the manifest's too) is the same
    assert render_plan_documents(inputs, previous=folder) == first and rendered == []
    # E2's quota changed: only E2 is rendered; E1's files are the first run's
    raised = PayeePlanYear("E2", "AE-FULL", 2026, "EUR", Decimal("950000"), Decimal("45000"))
    second = render_plan_documents([inputs[0], PlanDocumentInput(raised, plan, "Bo Other", "de_DE")], previous=folder)
    assert rendered == ["E2"] and all(second[f"{STEM}{ext}"] == first[f"{STEM}{ext}"] for ext in (".html", ".pdf", ".terms.json"))
    assert second["E2_AE-FULL_2026.terms.json"] != first["E2_AE-FULL_2026.terms.json"]
    # a name printed differently is a new rendering, the same terms
    rendered.clear()
    renamed = render_plan_documents([PlanDocumentInput(PAYEE, plan, "Ann B. Example", "en_US")], previous=folder)
    assert rendered == ["E1"] and renamed[f"{STEM}.terms.json"] == first[f"{STEM}.terms.json"]
    # a file on disk that no longer matches the manifest is never copied: rendered again
    rendered.clear()
    (folder / f"{STEM}.pdf").write_bytes(b"%PDF-1.4 damaged")
    assert render_plan_documents(inputs, previous=folder) == first and rendered == ["E1"]


def test_the_render_key_is_the_same_in_every_process(plan):
    import os
    import subprocess
    import sys

    from assets.statements.plan_document import render_key

    sha = document_sha256(plan_terms(PAYEE, plan))
    script = (
        "from decimal import Decimal\n"
        "from assets.statements.plan_document import PayeePlanYear, PlanDocumentInput, render_key\n"
        "payee = PayeePlanYear('E1', 'AE-FULL', 2026, 'EUR', Decimal(1), Decimal(1))\n"
        f"print(render_key(PlanDocumentInput(payee, None, 'Ann Example', 'en_US'), {sha!r}))\n"
    )
    expected = render_key(PlanDocumentInput(PAYEE, plan, "Ann Example", "en_US"), sha)
    for seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONHASHSEED": seed})
        assert out.stdout.strip() == expected
