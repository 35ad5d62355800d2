"""End to end over three pay periods (issue #4): publish, late deal, clawback, plan correction.

A hand-made company, small enough to compute every payout line by hand:

* payees E1 Alice and E2 Bob (USD, US), CRM users U1 and U2, plan AE-2026:
  flat 10 % of own credit per month, clawback window 90 days.
* batch crm/2026-02-01 (month 1 = 2026-01): O1 Alice 1,000 (Jan 10), O2 Alice
  2,000 (Jan 20), O3 Bob 3,000 (Jan 15).
  January pays Alice 10 % x 3,000 = 300.00 and Bob 10 % x 3,000 = 300.00; published as v1.
* then, batch crm/2026-02-20 and a configuration change arrive:
  - late deal O4, Bob 500, closed Jan 28 (month 1);
  - O2 is lost (inside the 90-day window of its Jan 20 close): a clawback;
  - plan correction: the rate was 12 %, not 10 %;
  - February: O5 Alice 4,000 (Feb 10); March: O6 Bob 1,000 (Mar 5).
* the whole pipeline runs again; February and March are published, in that order.
"""

from __future__ import annotations

import csv
import json
import os
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest

from assets.payouts import ledger as store
from assets.payouts.ledger_layout import published_dir
from core.settings import SpmPaths
from orchestration.cli import publish_failure, publish_period_run
from tests.support.demo import paths_under
from tests.support.landing import write_rows
from tests.support.ledger import deal as _deal
from tests.support.ledger import warehouse_rows as _query
from tests.support.ledger import approve_periods, run_daily, write_company, write_plan

pytestmark = pytest.mark.slow  # runs the pipeline job

def _write_company(paths: SpmPaths) -> None:
    write_company(paths, [
        _deal("O1", "U1", "1000", "2026-01-10"),
        _deal("O2", "U1", "2000", "2026-01-20"),
        _deal("O3", "U2", "3000", "2026-01-15"),
    ])


def _write_changes(paths: SpmPaths) -> None:
    write_rows(
        paths.landing_dir / "crm" / "2026-02-20" / "Opportunity.csv",
        [
            _deal("O4", "U2", "500", "2026-01-28", modified="2026-02-19T09:00:00.000+0000"),  # late deal for January
            _deal("O2", "U1", "2000", "2026-01-20", won=False, modified="2026-02-15T09:00:00.000+0000"),  # lost
            _deal("O5", "U1", "4000", "2026-02-10"),
            _deal("O6", "U2", "1000", "2026-03-05"),
        ],
    )
    write_plan(paths, "0.12")  # the plan correction


def _lines(directory: Path, period: str) -> list[dict]:
    with (directory / f"payout_{period}.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def _key(line: dict) -> tuple:
    return (line["employee_id"], line["earning_code"], line["amount"], line["reason"], line["deal_ids"])


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    root = tmp_path_factory.mktemp("ledger")
    paths = paths_under(root)
    saved = dict(os.environ)
    os.environ["DAGSTER_HOME"] = str(root / "dagster_home")
    try:
        _write_company(paths)
        run_daily(paths, "2026-01")  # without the forecasts (tests/support/ledger.py)
        approve_periods(paths, "2026-01")  # docs/payment_workflow.md#approval
        january = publish_period_run(paths, "2026-01", log_level="WARNING")
        assert january.success, publish_failure(january)
        january_v1 = {p.name: p.read_bytes() for p in published_dir(paths.export_dir, "2026-01", 1).rglob("*") if p.is_file()}

        _write_changes(paths)
        run_daily(paths, "2026-02")
        approve_periods(paths, "2026-02")
        february = publish_period_run(paths, "2026-02", log_level="WARNING")
        assert february.success, publish_failure(february)
        yield paths, january_v1
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_month_one_is_published_as_computed(company):
    paths, _ = company
    (january,) = store.read_publications(paths.export_dir)[:1]
    assert (january.period, january.version, january.publication_seq) == ("2026-01", 1, 1)
    lines = _lines(january.path(paths.export_dir), "2026-01")
    # 10 % x (1,000 + 2,000) = 300.00 for Alice; 10 % x 3,000 = 300.00 for Bob.
    assert [_key(l) for l in lines] == [
        ("E1", "COMMISSION", "300.00", "", ""),
        ("E2", "COMMISSION", "300.00", "", ""),
    ]
    assert {l["run_id"] for l in lines} == {january.run_id}


def test_month_two_carries_exactly_the_adjustment_and_clawback_lines(company):
    paths, _ = company
    february = store.latest_published_version(paths.export_dir, "2026-02")
    assert february.version == 1
    lines = _lines(february.path(paths.export_dir), "2026-02")
    assert [_key(l) for l in lines] == [
        # January recalculated at 12 % without the clawed-back O2: Alice 12 % x 1,000 = 120;
        # she was paid 300, so 180 is owed back. O2 is taken back at the rate January was
        # published at (300 / 3,000 credit = 10 %): -10 % x 2,000 = -200.00 CLAWBACK; the
        # rest, -180 - (-200) = +20.00, is the plan correction on O1 (2 % x 1,000).
        ("E1", "ADJUSTMENT", "20.00", "plan_correction", ""),
        ("E1", "CLAWBACK", "-200.00", "deal_lost", "O2"),
        # February itself: 12 % x 4,000 (O5) = 480.00.
        ("E1", "COMMISSION", "480.00", "", ""),
        # Bob: January recalculated 12 % x (3,000 + 500 late O4) = 420, paid 300: +120.00
        # (the late deal at January's 10 % is 50; the other 70 is the plan correction).
        ("E2", "ADJUSTMENT", "120.00", "late_deal;plan_correction", "O4"),
    ]
    manifest = json.loads((february.path(paths.export_dir) / "manifest.json").read_text())
    # 20 - 200 + 480 + 120 = 420.00
    assert manifest["totals"]["by_currency"] == {"USD": "420.00"}
    assert manifest["totals"]["by_currency_and_earning_code"]["USD"] == {
        "ADJUSTMENT": "140.00", "CLAWBACK": "-200.00", "COMMISSION": "480.00",
    }
    assert manifest["run_id"] == february.run_id
    assert "crm/2026-02-20" in manifest["source_batches"]
    assert "payees_in_hr" in manifest["checks_passed"]


def test_the_draft_extract_of_month_two_shows_the_same_lines(company):
    paths, _ = company
    draft = _lines(paths.export_dir / "payouts" / "2026-02", "2026-02")
    published = _lines(store.latest_published_version(paths.export_dir, "2026-02").path(paths.export_dir), "2026-02")
    assert [_key(l) for l in draft] == [_key(l) for l in published]
    assert {l["run_id"] for l in draft} == {""}



def _accrual(paths: SpmPaths, period: str) -> list[tuple]:
    """ACCRUAL-<period>: (cost center, account, debit, credit, source model)."""
    return _query(
        paths,
        "select cost_center, account_number, debit, credit, source_model from fct_journal_line "
        "where journal_id = ? order by line_number",
        [f"ACCRUAL-{period}"],
    )


def _accrued_lines(paths: SpmPaths, period: str) -> list[tuple]:
    return _query(
        paths,
        "select employee_id, earning_code, accrued_amount, source_model from int_journal_accrual_lines "
        "where period = ? order by employee_id, earning_code",
        [period],
    )


def test_the_accrual_journal_of_a_month_is_what_its_payout_file_pays(company):
    # The warehouse as the publish step of February refreshed it: January published (v1), February not yet.
    paths, _ = company
    january_file = _lines(store.latest_published_version(paths.export_dir, "2026-01").path(paths.export_dir), "2026-01")
    # January recalculated today would be Alice 12 % x 1,000 = 120 and Bob 12 % x 3,500 = 420 (540.00);
    # its accrual stays what its file paid: 300.00 + 300.00 = 600.00, never restated.
    assert _accrued_lines(paths, "2026-01") == [
        (l["employee_id"], l["earning_code"], Decimal(l["amount"]), "int_ledger_published_lines") for l in january_file
    ]
    assert _accrual(paths, "2026-01") == [
        ("CC-100", "6100", Decimal("600.00"), Decimal("0"), "int_ledger_published_lines"),
        ("CC-100", "2150", Decimal("0"), Decimal("600.00"), "int_ledger_published_lines"),
    ]
    # February, the open period, accrues its file: the corrections of January are in it as
    # ADJUSTMENT / CLAWBACK lines, the same lines the payout file pays.
    february_file = _lines(store.latest_published_version(paths.export_dir, "2026-02").path(paths.export_dir), "2026-02")
    assert _accrued_lines(paths, "2026-02") == [
        (l["employee_id"], l["earning_code"], Decimal(l["amount"]), "fct_payout_line") for l in february_file
    ] == [
        ("E1", "ADJUSTMENT", Decimal("20.00"), "fct_payout_line"),  # plan correction on O1: 2 % x 1,000
        ("E1", "CLAWBACK", Decimal("-200.00"), "fct_payout_line"),  # O2 lost: -10 % x 2,000
        ("E1", "COMMISSION", Decimal("480.00"), "fct_payout_line"),  # O5: 12 % x 4,000
        ("E2", "ADJUSTMENT", Decimal("120.00"), "fct_payout_line"),  # 12 % x 3,500 - 300
    ]
    # Dr Commission expense 20 - 200 + 480 + 120 = 420.00 / Cr Accrued commissions 420.00,
    # the file's total (manifest 420.00)
    assert _accrual(paths, "2026-02") == [
        ("CC-100", "6100", Decimal("420.00"), Decimal("0"), "fct_payout_line"),
        ("CC-100", "2150", Decimal("0"), Decimal("420.00"), "fct_payout_line"),
    ]
    # March is not the open period: the same retro lines are not accrued a second time.
    # March earns Bob 12 % x 1,000 (O6) = 120.00.
    assert [line for line in _accrued_lines(paths, "2026-03") if line[2] != 0] == [
        ("E2", "COMMISSION", Decimal("120.00"), "fct_payout_line"),
    ]
    # every accrual journal balances, and is settled by its reversal for the same amount
    assert _query(paths, "select journal_id from fct_journal_line group by 1 having sum(debit) <> sum(credit)") == []
    assert _query(
        paths,
        "select source_period, sum(debit) from fct_journal_line where journal_type = 'ACCRUAL_REVERSAL' "
        "and account_number = '2150' and source_period <= '2026-02' group by 1 order by 1",
    ) == [("2026-01", Decimal("600.00")), ("2026-02", Decimal("420.00"))]


def test_month_three_owes_nothing_more_and_a_crash_before_the_record_is_finished_by_a_rerun(company, monkeypatch):
    paths, _ = company

    def crash(*args, **kwargs):
        raise OSError("disk full (injected)")

    approve_periods(paths, "2026-03")  # after February's publication, which March's lines depend on
    monkeypatch.setattr(store, "write_publication_record", crash)
    crashed = publish_period_run(paths, "2026-03", log_level="CRITICAL")
    assert not crashed.success
    # The files were written, but without the record March is not published.
    assert (published_dir(paths.export_dir, "2026-03", 1) / "payout_2026-03.csv").exists()
    assert store.latest_published_version(paths.export_dir, "2026-03") is None
    assert [p.name for p in paths.export_dir.rglob("*.tmp")] == []

    monkeypatch.undo()
    rerun = publish_period_run(paths, "2026-03", log_level="WARNING")
    assert rerun.success, publish_failure(rerun)
    march = store.latest_published_version(paths.export_dir, "2026-03")
    assert (march.version, march.publication_seq) == (1, 3)
    # Adjustments were paid in February; nothing is owed again (no ADJUSTMENT twice).
    # March pays Bob 12 % x 1,000 (O6) = 120.00 and nothing else.
    lines = _lines(march.path(paths.export_dir), "2026-03")
    assert [_key(l) for l in lines if l["amount"] != "0.00"] == [("E2", "COMMISSION", "120.00", "", "")]
    assert {l["run_id"] for l in lines} == {march.run_id}


def test_once_published_a_months_accrual_is_its_published_lines(company):
    # The warehouse as March's publish step refreshed it: January and February published,
    # March the open period. February's accrual is unchanged, now read from its published lines.
    paths, _ = company
    assert _accrued_lines(paths, "2026-02") == [
        ("E1", "ADJUSTMENT", Decimal("20.00"), "int_ledger_published_lines"),
        ("E1", "CLAWBACK", Decimal("-200.00"), "int_ledger_published_lines"),
        ("E1", "COMMISSION", Decimal("480.00"), "int_ledger_published_lines"),
        ("E2", "ADJUSTMENT", Decimal("120.00"), "int_ledger_published_lines"),
    ]
    assert [line[:4] for line in _accrual(paths, "2026-02")] == [
        ("CC-100", "6100", Decimal("420.00"), Decimal("0")),
        ("CC-100", "2150", Decimal("0"), Decimal("420.00")),
    ]
    # January still 600.00 as published in v1
    assert [line[:4] for line in _accrual(paths, "2026-01")][1] == ("CC-100", "2150", Decimal("0"), Decimal("600.00"))


def test_publishing_again_unchanged_is_a_no_op(company):
    paths, _ = company
    before = {p: p.read_bytes() for p in (paths.export_dir / "payouts" / "published").rglob("*") if p.is_file()}
    ledger_before = sorted(p.name for p in (paths.export_dir / "payouts" / "ledger").rglob("*.parquet"))

    again = publish_period_run(paths, "2026-02", log_level="WARNING")

    assert again.success, publish_failure(again)
    after = {p: p.read_bytes() for p in (paths.export_dir / "payouts" / "published").rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in (paths.export_dir / "payouts" / "ledger").rglob("*.parquet")) == ledger_before
    (materialization,) = again.asset_materializations_for_node("payout_publication")
    assert materialization.metadata["status"].value == "unchanged"


def test_a_correction_of_a_published_month_makes_version_two_and_a_delta(company):
    paths, january_v1 = company
    # A correction is a new content of a published month: approved again before it is published.
    unapproved = publish_period_run(paths, "2026-01", log_level="CRITICAL")
    assert not unapproved.success
    assert "Refusing to publish 2026-01: approved content changed since " in publish_failure(unapproved)
    approve_periods(paths, "2026-01")
    corrected = publish_period_run(paths, "2026-01", log_level="WARNING")
    assert corrected.success, publish_failure(corrected)

    january = store.latest_published_version(paths.export_dir, "2026-01")
    assert january.version == 2 and january.previous_version == 1
    # v1 is untouched, byte for byte.
    v1 = published_dir(paths.export_dir, "2026-01", 1)
    assert {p.name: p.read_bytes() for p in v1.rglob("*") if p.is_file()} == january_v1
    v2 = january.path(paths.export_dir)
    # January now: Alice 12 % x 1,000 = 120.00; Bob 12 % x 3,500 = 420.00.
    assert [_key(l) for l in _lines(v2, "2026-01")] == [
        ("E1", "COMMISSION", "120.00", "", ""),
        ("E2", "COMMISSION", "420.00", "", ""),
    ]
    with (v2 / "delta_2026-01_v2.csv").open(newline="") as handle:
        delta = [(r["employee_id"], r["earning_code"], r["previous_amount"], r["amount"], r["delta_amount"]) for r in csv.DictReader(handle)]
    # 120 - 300 = -180.00 ; 420 - 300 = +120.00
    assert delta == [("E1", "COMMISSION", "300.00", "120.00", "-180.00"), ("E2", "COMMISSION", "300.00", "420.00", "120.00")]


def test_a_failing_prepublish_check_refuses_and_names_it(company, monkeypatch):
    import dataclasses

    import assets.payouts.publication as ledger_assets

    paths, _ = company
    real = ledger_assets.read_period_payouts

    def without_hr(warehouse, period, *args):
        payouts = real(warehouse, period, *args)
        return dataclasses.replace(payouts, hr_employee_ids={"E1"})  # Bob is not in HR

    monkeypatch.setattr(ledger_assets, "read_period_payouts", without_hr)
    seq_before = [p.publication_seq for p in store.read_publications(paths.export_dir)]
    refused = publish_period_run(paths, "2026-03", log_level="CRITICAL")
    assert not refused.success
    message = publish_failure(refused)
    assert "Refusing to publish 2026-03" in message
    assert "payees_in_hr: 1 payee(s) not in HR: E2" in message
    assert [p.publication_seq for p in store.read_publications(paths.export_dir)] == seq_before


def test_a_failed_upstream_blocking_check_refuses_and_names_it(company):
    paths, _ = company
    check = dg.AssetCheckKey(dg.AssetKey(["raw", "crm", "opportunity"]), "gx_contract_suite")
    with dg.DagsterInstance.get() as instance:
        instance.report_runless_asset_event(
            dg.AssetCheckEvaluation(asset_key=check.asset_key, check_name=check.name, passed=False, severity=dg.AssetCheckSeverity.ERROR)
        )
    seq_before = [p.publication_seq for p in store.read_publications(paths.export_dir)]
    refused = publish_period_run(paths, "2026-03", log_level="CRITICAL")
    assert not refused.success
    message = publish_failure(refused)
    assert "upstream_blocking_checks_passed" in message and "raw/crm/opportunity:gx_contract_suite" in message
    assert [p.publication_seq for p in store.read_publications(paths.export_dir)] == seq_before
    with dg.DagsterInstance.get() as instance:
        instance.report_runless_asset_event(
            dg.AssetCheckEvaluation(asset_key=check.asset_key, check_name=check.name, passed=True, severity=dg.AssetCheckSeverity.ERROR)
        )
    # Once the check passes again, publishing goes on. January was corrected to v2
    # meanwhile (the test above), and its delta (-180.00 Alice, +120.00 Bob) counts
    # as paid; February had already settled the same changes. So March now owes:
    #   Alice: recalculated Jan 120 + Feb 480 = 600; paid Jan v2 120 + Feb 300 = 420 -> +180.00
    #   Bob:   recalculated Jan 420 + Feb 0 = 420;   paid Jan v2 420 + Feb 120 = 540 -> -120.00
    # (no clawback: January v2 already saw O2 gone) - and March becomes v2: a new content of
    # March, approved again first (docs/payment_workflow.md#approval).
    approve_periods(paths, "2026-03")
    assert publish_period_run(paths, "2026-03", log_level="WARNING").success
    march = store.latest_published_version(paths.export_dir, "2026-03")
    assert march.version == 2 and march.publication_seq == seq_before[-1] + 1
    lines = _lines(march.path(paths.export_dir), "2026-03")
    assert [(l["employee_id"], l["earning_code"], l["amount"]) for l in lines if l["amount"] != "0.00"] == [
        ("E1", "ADJUSTMENT", "180.00"),
        ("E2", "ADJUSTMENT", "-120.00"),
        ("E2", "COMMISSION", "120.00"),
    ]
    # and publishing it again is a no-op
    assert publish_period_run(paths, "2026-03", log_level="WARNING").success
    assert store.latest_published_version(paths.export_dir, "2026-03").version == 2
