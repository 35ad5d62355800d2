"""Too much quarantine blocks what is downstream (on datasets big enough to judge); a stale batch only warns."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest

from assets.ingest.assets import INGEST_ASSETS, QUARANTINE_KEY
from assets.ingest.contract import CRM_OPPORTUNITY
from assets.ingest.quality_checks import (
    DatasetQuarantine,
    RuleCount,
    batch_age_days,
    quarantine_below_threshold,
    quarantine_shares,
    threshold_message,
)
from core.resources import SpmPathsResource
from core.settings import Settings
from tests.support.landing import opportunity, write_rows

OPPORTUNITY_KEY = dg.AssetKey(["raw", "crm", "opportunity"])


@dg.asset(deps=[QUARANTINE_KEY])
def downstream_of_quarantine() -> None:
    """Stands in for the warehouse and the payouts."""


def _run(tmp_path, rows, monkeypatch, max_share="0.5", min_rows="1"):
    monkeypatch.setenv("SPM_QUARANTINE_MAX_SHARE", max_share)
    monkeypatch.setenv("SPM_QUARANTINE_MIN_ROWS", min_rows)
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
    evaluation = _evaluation(result)
    assert not evaluation.passed
    assert evaluation.metadata["over_threshold"].value == {"crm/opportunity": "2/3"}
    assert "unparseable_decimal: 2 row(s), e.g. crm/2026-11-27/Opportunity.csv row 2: Amount 'x'" in evaluation.description
    assert "downstream_of_quarantine" not in _materialized(result)


def _evaluation(result):
    (evaluation,) = [e for e in result.get_asset_check_evaluations() if e.check_name == "quarantine_below_threshold"]
    return evaluation


def test_a_dataset_below_the_minimum_row_count_is_not_held_to_the_share(tmp_path, monkeypatch):
    rows = [opportunity(Id="A", Amount="x"), opportunity(Id="B", Amount="y")]  # 2 of 2 quarantined
    result = _run(tmp_path, rows, monkeypatch, max_share="0.01", min_rows="3")
    evaluation = _evaluation(result)
    assert evaluation.passed
    assert evaluation.metadata["min_rows"].value == 3
    assert "no (< 3 rows)" in evaluation.metadata["by_dataset"].value
    assert "downstream_of_quarantine" in _materialized(result)
    assert quarantine_shares(tmp_path / "raw")["crm/opportunity"] == (2, 2)  # still quarantined, still counted


def test_at_the_minimum_row_count_the_share_counts(tmp_path, monkeypatch):
    rows = [opportunity(Id="A", Amount="x"), opportunity(Id="B", Amount="y"), opportunity(Id="C")]
    evaluation = _evaluation(_run(tmp_path, rows, monkeypatch, max_share="0.5", min_rows="3"))
    assert not evaluation.passed
    assert "crm/opportunity: 2 of 3 rows quarantined (66.67%)" in evaluation.description


def test_the_default_minimum_is_100_rows_and_the_default_share_1_percent(monkeypatch):
    monkeypatch.delenv("SPM_QUARANTINE_MIN_ROWS", raising=False)
    monkeypatch.delenv("SPM_QUARANTINE_MAX_SHARE", raising=False)
    settings = Settings.from_env()
    assert settings.quarantine_min_rows == 100 and settings.quarantine_max_share == Decimal("0.01")


@pytest.mark.parametrize(
    "variable, value", [("SPM_QUARANTINE_MAX_SHARE", "1%"), ("SPM_QUARANTINE_MAX_SHARE", "2"), ("SPM_QUARANTINE_MIN_ROWS", "-5")]
)
def test_a_bad_setting_is_a_user_error_naming_it(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(dg.Failure, match=variable) as raised:
        Settings.from_env()
    assert not raised.value.allow_retries


def test_the_threshold_message_names_rows_share_top_rules_example_files_and_settings():
    # 3 of 12 rows = 25.00%; four rules broken, the three most broken are shown.
    account = DatasetQuarantine(
        dataset="crm/account",
        quarantined=3,
        landed=12,
        rules=(
            RuleCount("unparseable_decimal", 2, "crm/2026-11-27/Account.csv row 4: AnnualRevenue 'n/a' is not a decimal"),
            RuleCount("missing_required_value", 1, "crm/2026-11-27/Account.csv row 7: Id is missing"),
            RuleCount("unparseable_datetime", 1, "crm/2026-11-27/Account.csv row 7: LastModifiedDate 'x' ..."),
            RuleCount("unparseable_integer", 1, "crm/2026-11-27/Account.csv row 9: NumberOfEmployees 'many' ..."),
        ),
        directory=Path("/raw/quarantine/crm/account"),
    )
    assert account.share == Decimal(3) / Decimal(12) and account.is_over(Decimal("0.01"), 12)
    assert not account.is_over(Decimal("0.01"), 13) and not account.is_over(Decimal("0.25"), 1)
    assert threshold_message([account], Decimal("0.01"), 12).splitlines() == [
        "Quarantine above SPM_QUARANTINE_MAX_SHARE = 0.01 (1.00% of a dataset's landed rows) in crm/account: "
        "the warehouse and the payout files were not built.",
        "crm/account: 3 of 12 rows quarantined (25.00%); quarantine files: /raw/quarantine/crm/account",
        "  unparseable_decimal: 2 row(s), e.g. crm/2026-11-27/Account.csv row 4: AnnualRevenue 'n/a' is not a decimal",
        "  missing_required_value: 1 row(s), e.g. crm/2026-11-27/Account.csv row 7: Id is missing",
        "  unparseable_datetime: 1 row(s), e.g. crm/2026-11-27/Account.csv row 7: LastModifiedDate 'x' ...",
        "  ... and 1 more rule(s)",
        "Fix the extract and land it again, or, if this share is expected, raise SPM_QUARANTINE_MAX_SHARE "
        "(datasets with fewer than SPM_QUARANTINE_MIN_ROWS = 12 landed rows are not held to it).",
    ]


def test_batch_age_from_the_newest_folder(tmp_path):
    (tmp_path / "crm" / "2026-11-20").mkdir(parents=True)
    (tmp_path / "crm" / "2026-11-27").mkdir(parents=True)
    assert batch_age_days(tmp_path, "crm", date(2026, 11, 29)) == 2
    assert batch_age_days(tmp_path, "hr", date(2026, 11, 29)) is None
    assert CRM_OPPORTUNITY.system == "crm"
