"""Statements end to end: generated demo company -> the whole pipeline -> one statement per payee
whose amount to be paid is the payee's lines in the payout file, to the cent."""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from tests.support.demo import demo_environment
from tests.support.pdf import assert_valid_pdf, visible_text

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
        for currency, total in totals.items():
            assert f"Total to be paid {total:,.2f}" in text, employee_id
        assert_valid_pdf((folder / entry["pdf"]).read_bytes())
    # The index links every statement and totals each currency as the payout file does.
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert set(re.findall(r'<tr><td><a href="([^"]+)\.html">', index)) == {
        Path(e["html"]).stem for e in manifest["payees"].values()
    }
    by_currency: dict[str, Decimal] = {}
    for line in lines:
        by_currency[line["currency"]] = by_currency.get(line["currency"], Decimal(0)) + Decimal(line["amount"])
    assert {c: Decimal(v) for c, v in manifest["totals_by_currency"].items()} == by_currency


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
