"""Journals end to end: generated demo company -> the whole Dagster graph -> the journal files.

Checks what finance would: every journal of every file balances per currency,
the manifests hash their files, the period's accrual credits exactly what its
payout file pays, and writing the journals again gives the same bytes.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from assets.payouts.extract import sha256_hex
from core.settings import SpmPaths
from tests.support.demo import demo_environment

pytestmark = pytest.mark.slow  # reads the session's demo run


@pytest.fixture(scope="module")
def pipeline(demo_pipeline):
    """The session's demo run (tests/conftest.py), with its settings in the environment."""
    paths, result, root = demo_pipeline
    with demo_environment(paths, root):
        yield paths, result


def _rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _files(paths: SpmPaths) -> dict[Path, bytes]:
    root = paths.export_dir / "journals"
    return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_every_journal_in_every_file_balances_per_currency(pipeline):
    paths, result = pipeline
    assert result.success
    manifests = sorted((paths.export_dir / "journals").glob("*/manifest.json"))
    assert len(manifests) >= 6, manifests
    types = set()
    for manifest_path in manifests:
        manifest = json.loads(manifest_path.read_text())
        (name, meta), = manifest["files"].items()
        content = (manifest_path.parent / name).read_bytes()
        assert meta["sha256"] == sha256_hex(content)
        rows = _rows(manifest_path.parent / name)
        assert len(rows) == manifest["row_count"] > 0
        balance: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for row in rows:
            assert row["period"] == manifest["period"]
            balance[(row["journal_id"], row["currency"])] += Decimal(row["debit"]) - Decimal(row["credit"])
            types.add(row["journal_type"])
        assert {k: v for k, v in balance.items() if v} == {}
    # the demo sells New Business with a 36-month default benefit period
    assert types == {"ACCRUAL", "ACCRUAL_REVERSAL", "CAPITALIZATION", "AMORTIZATION"}


def test_the_period_accrual_credits_exactly_what_its_payout_file_pays(pipeline):
    paths, _ = pipeline
    (payout_manifest,) = sorted((paths.export_dir / "payouts").glob("*/manifest.json"))
    payout = json.loads(payout_manifest.read_text())
    period = payout["period"]
    rows = _rows(paths.export_dir / "journals" / period / f"journal_{period}.csv")
    accrued: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        if row["journal_id"] == f"ACCRUAL-{period}" and row["account_number"] == "2150":
            accrued[row["currency"]] += Decimal(row["credit"]) - Decimal(row["debit"])
    paid = {c: Decimal(v) for c, v in payout["totals"]["by_currency"].items() if Decimal(v)}
    assert {c: v for c, v in accrued.items() if v} == paid
    # and per cost center (the one in effect in the period, in both files)
    accrued_by_center: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in rows:
        if row["journal_id"] == f"ACCRUAL-{period}" and row["account_number"] == "2150":
            accrued_by_center[(row["cost_center"], row["currency"])] += Decimal(row["credit"]) - Decimal(row["debit"])
    paid_by_center: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for line in _rows(payout_manifest.parent / f"payout_{period}.csv"):
        paid_by_center[(line["cost_center"] or "UNASSIGNED", line["currency"])] += Decimal(line["amount"])
    assert {k: v for k, v in accrued_by_center.items() if v} == {k: v for k, v in paid_by_center.items() if v}
    # the period's file stops at the period: its own accrual is settled in the next one
    assert not (paths.export_dir / "journals" / _next(period)).exists()


def test_schedule_and_capitalization_agree_on_demo_data(pipeline):
    paths, _ = pipeline
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        (bad,) = con.execute(
            """
            select count(*) from fct_contract_cost as c
            left join (select contract_cost_id, sum(amortization_amount) as amortized, count(*) as months
                       from fct_contract_cost_amortization group by 1) as s
                on c.contract_cost_id = s.contract_cost_id
            where c.treatment = 'capitalized' and (s.amortized <> c.capitalized_amount or s.months <> 36)
            """
        ).fetchone()
        (capitalized,) = con.execute("select count(*) from fct_contract_cost where treatment = 'capitalized'").fetchone()
    finally:
        con.close()
    assert capitalized > 0 and bad == 0


def test_writing_the_journals_again_gives_the_same_bytes(pipeline):
    import dagster as dg

    from assets.finance.assets import journal_entries
    from core.resources import SpmPathsResource

    paths, _ = pipeline
    before = _files(paths)
    resource = SpmPathsResource(**{k: str(v) for k, v in paths.__dict__.items()})
    result = dg.materialize([journal_entries], resources={"paths": resource})
    assert result.success
    assert _files(paths) == before


def _next(period: str) -> str:
    year, month = map(int, period.split("-"))
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"
