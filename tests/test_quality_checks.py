"""Too much quarantine blocks what is downstream; a stale batch only warns."""

from __future__ import annotations

from datetime import date

import dagster as dg

from assets.ingest.assets import INGEST_ASSETS, QUARANTINE_KEY
from assets.ingest.contract import CRM_OPPORTUNITY
from assets.quality_checks import batch_age_days, quarantine_below_threshold, quarantine_shares
from orchestration.resources import SpmPathsResource
from tests.test_ingest import opportunity, write_rows

OPPORTUNITY_KEY = dg.AssetKey(["raw", "crm", "opportunity"])


@dg.asset(deps=[QUARANTINE_KEY])
def downstream_of_quarantine() -> None:
    """Stands in for the warehouse and the payouts."""


def _run(tmp_path, rows, monkeypatch, max_share="0.5"):
    monkeypatch.setenv("SPM_QUARANTINE_MAX_SHARE", max_share)
    write_rows(tmp_path / "landing" / "crm" / "2026-11-27" / "Opportunity.csv", rows)
    ingest = [a for a in INGEST_ASSETS if OPPORTUNITY_KEY in a.keys or QUARANTINE_KEY in a.keys]
    return dg.materialize(
        [*ingest, downstream_of_quarantine, quarantine_below_threshold],
        resources={
            "paths": SpmPathsResource(
                landing_dir=str(tmp_path / "landing"),
                config_dir=str(tmp_path / "config"),
                raw_dir=str(tmp_path / "raw"),
            )
        },
        raise_on_error=False,
    )


def _materialized(result) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def test_shares_count_a_row_once_however_many_rules_it_broke(tmp_path, monkeypatch):
    rows = [opportunity(Id="A"), opportunity(Id="B", Amount="x", CurrencyIsoCode="XXX")]
    _run(tmp_path, rows, monkeypatch)
    assert quarantine_shares(tmp_path / "raw")["crm/opportunity"] == (1, 2)


def test_under_the_threshold_the_run_goes_on(tmp_path, monkeypatch):
    result = _run(tmp_path, [opportunity(Id="A"), opportunity(Id="B"), opportunity(Id="C", Amount="x")], monkeypatch)
    (evaluation,) = [e for e in result.get_asset_check_evaluations() if e.check_name == "quarantine_below_threshold"]
    assert evaluation.passed
    assert "downstream_of_quarantine" in _materialized(result)


def test_over_the_threshold_downstream_is_not_built(tmp_path, monkeypatch):
    rows = [opportunity(Id="A"), opportunity(Id="B", Amount="x"), opportunity(Id="C", Amount="y")]
    result = _run(tmp_path, rows, monkeypatch, max_share="0.5")  # 2 of 3 quarantined
    (evaluation,) = [e for e in result.get_asset_check_evaluations() if e.check_name == "quarantine_below_threshold"]
    assert not evaluation.passed
    assert evaluation.metadata["over_threshold"].value == {"crm/opportunity": "2/3"}
    assert "downstream_of_quarantine" not in _materialized(result)


def test_batch_age_from_the_newest_folder(tmp_path):
    (tmp_path / "crm" / "2026-11-20").mkdir(parents=True)
    (tmp_path / "crm" / "2026-11-27").mkdir(parents=True)
    assert batch_age_days(tmp_path, "crm", date(2026, 11, 29)) == 2
    assert batch_age_days(tmp_path, "hr", date(2026, 11, 29)) is None
    assert CRM_OPPORTUNITY.system == "crm"
