"""Statements end to end: generated demo company -> the whole pipeline -> one statement per payee
whose amount to be paid is the payee's lines in the payout file, to the cent."""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from assets.statements.formatting import Formatter
from tests.support.demo import demo_environment
from tests.support.pdf import assert_valid_pdf, pdf_text, visible_text

pytestmark = pytest.mark.slow  # reads the session's demo run


@pytest.fixture(scope="module")
def pipeline(demo_pipeline):
    """The session's demo run (tests/conftest.py), with its settings in the environment."""
    paths, result, root = demo_pipeline
    with demo_environment(paths, root):
        yield paths, result


def _payout(paths) -> tuple[str, list[dict]]:
    (manifest,) = sorted((paths.export_dir / "payouts").glob("*/manifest.json"))
    period = json.loads(manifest.read_text())["period"]
    with (manifest.parent / f"payout_{period}.csv").open(newline="") as handle:
        return period, list(csv.DictReader(handle))


def test_statements_asset_and_its_blocking_check_succeed(pipeline):
    paths, result = pipeline
    assert result.success
    (materialization,) = result.asset_materializations_for_node("payee_statements")
    period, lines = _payout(paths)
    assert materialization.metadata["period"].value == period
    assert materialization.metadata["statement_count"].value >= len({l["employee_id"] for l in lines}) > 0
    checks = [e for e in result.get_asset_check_evaluations() if e.check_name == "statements_match_payout_file"]
    assert [c.passed for c in checks] == [True]


def test_every_payee_in_the_payout_file_has_a_statement_that_adds_up_to_the_cent(pipeline):
    paths, _ = pipeline
    period, lines = _payout(paths)
    expected: dict[str, dict[str, Decimal]] = {}
    for line in lines:
        per_payee = expected.setdefault(line["employee_id"], {})
        per_payee[line["currency"]] = per_payee.get(line["currency"], Decimal(0)) + Decimal(line["amount"])
    folder = paths.export_dir / "statements" / period
    manifest = json.loads((folder / "statements.json").read_text())
    for employee_id, totals in expected.items():
        entry = manifest["payees"][employee_id]
        assert {c: Decimal(v) for c, v in entry["amount_to_be_paid"].items()} == totals, employee_id
        text = visible_text((folder / entry["html"]).read_text(encoding="utf-8"))
        pdf = (folder / entry["pdf"]).read_bytes()
        printed = pdf_text(pdf)
        fmt = Formatter(entry["locale"])
        for currency, total in totals.items():
            # the payee's locale (de_DE: 1.234,56 €); visible_text makes a no-break space a space
            assert f"Total to be paid {fmt.money(total, currency)}".replace("\xa0", " ") in text, employee_id
            assert f"Amount to be paid: {fmt.money(total, currency)}" in printed, employee_id
        for line in lines:
            if line["employee_id"] == employee_id:
                assert fmt.money(Decimal(line["amount"]), line["currency"]) in printed, employee_id
        assert "…" not in printed
        assert_valid_pdf(pdf)
        assert (folder / entry["csv"]).exists()
    # The index links every statement and totals each currency as the payout file does.
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert set(re.findall(r'<tr><td><a href="([^"]+)\.html">', index)) == {
        Path(e["html"]).stem for e in manifest["payees"].values()
    }
    by_currency: dict[str, Decimal] = {}
    for line in lines:
        by_currency[line["currency"]] = by_currency.get(line["currency"], Decimal(0)) + Decimal(line["amount"])
    assert {c: Decimal(v) for c, v in manifest["totals_by_currency"].items()} == by_currency


def test_a_managers_team_levels_add_up_to_the_team_credit_the_component_pays_on(pipeline):
    """From the CSV of exact values beside each statement: the sub-totals per level add up to the
    team credit, which is the credit of the period of the roll-up component (fct_component_attainment)."""
    paths, _ = pipeline
    period, _ = _payout(paths)
    folder = paths.export_dir / "statements" / period
    manifest = json.loads((folder / "statements.json").read_text())
    managers = 0
    for employee_id, entry in manifest["payees"].items():
        with (folder / entry["csv"]).open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        team = [r for r in rows if r["section"] == "team"]
        if not team:
            continue
        managers += 1
        members = sum(Decimal(r["value"]) for r in team if r["basis"].startswith("level "))
        sub_totals = sum(Decimal(r["value"]) for r in team if r["basis"] == "sub-total")
        (total,) = [Decimal(r["value"]) for r in team if r["item"] == "rollup_credit_total"]
        assert members == sub_totals == total, employee_id
        paid_on = [Decimal(r["value"]) for r in rows if r["section"] == "attainment"
                   and r["item"].endswith("/rollup_credit") and r["basis"] == "period" and r["field"] == "credit"]
        assert paid_on == [total], employee_id
    assert managers > 0


def test_rerunning_the_statements_writes_identical_bytes(pipeline):
    import dagster as dg

    from assets.statements.assets import payee_statements, statements_match_payout_file
    from core.resources import SpmPathsResource

    paths, _ = pipeline
    period, _ = _payout(paths)
    folder = paths.export_dir / "statements" / period
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            [payee_statements, statements_match_payout_file],
            instance=instance,
            resources={"paths": SpmPathsResource(**{k: str(v) for k, v in vars(paths).items()})},
            run_config={"ops": {"payee_statements": {"config": {"period": period}}}},
        )
    assert result.success
    assert all(e.passed for e in result.get_asset_check_evaluations())
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]  # no temporary folder left
