"""The ingest assets and their blocking GX checks, materialized with Dagster."""

from __future__ import annotations

import dagster as dg
import polars as pl
import pytest

from assets.ingest import contract as c
from assets.ingest.assets import (
    CHECK_NAME,
    INGEST_ASSETS,
    INGEST_CHECKS,
    PLAN_COMPONENT_FILTER_KEY,
    PLAN_COMPONENT_KEY,
    PLAN_COMPONENT_TIER_KEY,
    PLAN_KEY,
    PLAN_RAMP_KEY,
    QUARANTINE_KEY,
    asset_key,
)
from core.resources import SpmPathsResource
from tests.support.landing import Folders, opportunity, write_rows
from tests.support.plans import FULL_PLAN, GOOD_PLAN, write_plan

OPPORTUNITY_KEY = asset_key(c.CRM_OPPORTUNITY)


@pytest.fixture
def folders(tmp_path) -> Folders:
    folders = Folders(tmp_path)
    write_plan(folders.config, "ae.yaml", GOOD_PLAN)
    write_rows(folders.config / "quotas.csv", [{"employee_id": "E1", "plan_year": "2026", "annual_quota": "1000", "currency": "USD"}])
    return folders


def _resources(folders: Folders) -> dict:
    return {
        "paths": SpmPathsResource(
            landing_dir=str(folders.landing), raw_dir=str(folders.raw), config_dir=str(folders.config)
        )
    }


def _materialize(folders: Folders, selection=None):
    return dg.materialize(
        [*INGEST_ASSETS, *INGEST_CHECKS],
        resources=_resources(folders),
        selection=selection,
        raise_on_error=False,
    )


def _metadata(result, key: dg.AssetKey) -> dict:
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key == key]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def _checks(result) -> dict[dg.AssetKey, bool]:
    return {e.asset_key: e.passed for e in result.get_asset_check_evaluations()}


def test_asset_keys_and_one_blocking_check_per_asset():
    keys = {key for a in INGEST_ASSETS for key in a.keys}
    plan_tables = {PLAN_KEY, PLAN_COMPONENT_KEY, PLAN_COMPONENT_TIER_KEY, PLAN_COMPONENT_FILTER_KEY, PLAN_RAMP_KEY}
    assert {asset_key(k) for k in c.CONTRACTS} | plan_tables | {QUARANTINE_KEY} == keys
    assert asset_key(c.CRM_OPPORTUNITY) == dg.AssetKey(["raw", "crm", "opportunity"])
    check_specs = [spec for check in INGEST_CHECKS for spec in check.check_specs]
    # Every dataset and every plan table has its blocking suite; only the quarantine has none.
    assert {spec.asset_key for spec in check_specs} == keys - {QUARANTINE_KEY}
    assert len(check_specs) == len(keys) - 1
    assert all(spec.name == CHECK_NAME and spec.blocking for spec in check_specs)
    opportunity_asset = next(a for a in INGEST_ASSETS if OPPORTUNITY_KEY in a.keys)
    assert opportunity_asset.group_names_by_key[OPPORTUNITY_KEY] == "ingest"
    assert set(opportunity_asset.specs_by_key[OPPORTUNITY_KEY].kinds) == {"polars", "parquet"}


def test_assets_materialize_and_checks_pass_on_good_data(folders):
    write_rows(
        folders.crm("2026-11-27", "Opportunity.csv"),
        [opportunity(Id="A"), opportunity(Id="B", Amount="12,5"), opportunity(Id="C", CurrencyIsoCode="XXX")],
    )
    write_plan(folders.config, "full.yaml", FULL_PLAN)  # fills the tier, filter and ramp tables

    result = _materialize(folders)

    assert result.success
    checks = _checks(result)
    assert len(checks) == len(INGEST_CHECKS) and all(checks.values())
    metadata = _metadata(result, OPPORTUNITY_KEY)
    assert (metadata["files_ingested"], metadata["files_skipped"]) == (1, 0)
    assert (metadata["rows_accepted"], metadata["rows_quarantined"]) == (1, 2)
    assert metadata[f"quarantined__{c.RULE_BAD_DECIMAL}"] == 1
    assert metadata["quarantined_by_rule"] == {c.RULE_BAD_DECIMAL: 1, c.RULE_UNKNOWN_CURRENCY: 1}
    assert "Amount '12,5' is not a decimal" in metadata["quarantine_examples"]
    assert _metadata(result, PLAN_KEY)["plans"] == 2
    assert _metadata(result, PLAN_COMPONENT_TIER_KEY)["tiers"] == 6
    assert _metadata(result, PLAN_COMPONENT_FILTER_KEY)["filters"] == 3
    assert _metadata(result, PLAN_RAMP_KEY)["ramp_months"] == 3
    assert all(checks[k] for k in (PLAN_COMPONENT_TIER_KEY, PLAN_COMPONENT_FILTER_KEY, PLAN_RAMP_KEY))
    assert _metadata(result, QUARANTINE_KEY)["quarantine_rows"] == 2

    again = _materialize(folders)

    assert again.success
    assert (_metadata(again, OPPORTUNITY_KEY)["files_ingested"], _metadata(again, OPPORTUNITY_KEY)["files_skipped"]) == (0, 1)


def test_a_check_fails_and_blocks_when_raw_breaks_a_business_rule(folders):
    # Won but not closed: every value is valid on its own, so ingest accepts it; the suite does not.
    write_rows(folders.crm("2026-11-27", "Opportunity.csv"), [opportunity(Id="A", IsWon="true", IsClosed="false")])

    result = _materialize(folders, selection=[OPPORTUNITY_KEY, QUARANTINE_KEY])

    assert not result.success
    (evaluation,) = [e for e in result.get_asset_check_evaluations() if e.asset_key == OPPORTUNITY_KEY]
    assert not evaluation.passed
    metadata = {k: v.value for k, v in evaluation.metadata.items()}
    assert metadata["batch"] == "2026-11-27"
    assert metadata["expectations_failed"] == 1
    (failure,) = metadata["failures"]
    assert failure["expectation"] == "expect_column_values_to_be_in_set(IsClosed)"
    assert failure["examples"] == ["False (crm/2026-11-27/Opportunity.csv row 1)"]
    # The blocking check stops what depends on the asset.
    assert QUARANTINE_KEY not in {e.asset_key for e in result.get_asset_materialization_events()}


def test_a_missing_required_column_fails_the_asset_naming_file_and_column(folders):
    row = opportunity()
    del row["CloseDate"]
    path = write_rows(folders.crm("2026-11-27", "Opportunity.csv"), [row])

    result = _materialize(folders, selection=[OPPORTUNITY_KEY])

    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    error = failure.step_failure_data.user_failure_data
    assert str(path) in error.description and "CloseDate" in error.description
    assert error.metadata["columns"].value == ["CloseDate"]


def test_an_invalid_plan_fails_the_plan_asset(folders):
    write_plan(folders.config, "ae.yaml", GOOD_PLAN.replace('rate: "0.08"', 'rate: "-0.08"'))

    result = _materialize(folders, selection=[PLAN_KEY, PLAN_COMPONENT_KEY, PLAN_COMPONENT_TIER_KEY, PLAN_COMPONENT_FILTER_KEY, PLAN_RAMP_KEY])

    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert "plans/ae.yaml (plan AE-2026, component commission): components[0].rule.rate" in (
        failure.step_failure_data.user_failure_data.description
    )


def test_the_check_reads_the_newest_batch_only(folders):
    write_rows(folders.crm("2026-11-27", "Opportunity.csv"), [opportunity(Id="A", IsWon="true", IsClosed="false")])
    write_rows(folders.crm("2026-11-28", "Opportunity.csv"), [opportunity(Id="A")])

    result = _materialize(folders, selection=[OPPORTUNITY_KEY])

    assert _checks(result) == {OPPORTUNITY_KEY: True}
    evaluation = result.get_asset_check_evaluations()[0]
    assert evaluation.metadata["batch"].value == "2026-11-28"
    assert pl.read_parquet(folders.raw / "crm" / "opportunity" / "batch=2026-11-27" / "Opportunity.csv.parquet").height == 1
