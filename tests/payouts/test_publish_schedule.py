"""The month-close schedule and the publish job: partitions, business days, the daily job untouched."""

from __future__ import annotations

from datetime import date, datetime, timezone

import dagster as dg
import pytest

from assets.payouts.schedules import nth_business_day
from core.settings import Settings
from orchestration.cli import period_range
from orchestration.definitions import PIPELINE_JOB_NAME, PUBLISH_JOB_NAME, defs


def _evaluate(day: str):
    schedule = defs.resolve_schedule_def("month_close")
    when = datetime.fromisoformat(day).replace(hour=7, tzinfo=timezone.utc)
    context = dg.build_schedule_context(scheduled_execution_time=when, repository_def=defs.get_repository_def())
    return schedule.evaluate_tick(context)


def test_nth_business_day_skips_weekends():
    # November 2026 starts on a Sunday: Mon 2, Tue 3, Wed 4.
    assert nth_business_day(2026, 11, 1) == date(2026, 11, 2)
    assert nth_business_day(2026, 11, 3) == date(2026, 11, 4)
    # August 2026 starts on a Saturday.
    assert nth_business_day(2026, 8, 1) == date(2026, 8, 3)
    # January 2027 starts on a Friday: Fri 1, Mon 4, Tue 5.
    assert nth_business_day(2027, 1, 3) == date(2027, 1, 5)


@pytest.mark.parametrize(
    "day, period",
    [
        ("2026-11-04", "2026-10"),  # 3rd business day of November -> October
        ("2026-12-03", "2026-11"),  # December starts on a Tuesday: Tue 1, Wed 2, Thu 3
        ("2027-01-05", "2026-12"),  # across the year end
    ],
)
def test_month_close_publishes_the_previous_month_on_the_third_business_day(day, period):
    result = _evaluate(day)
    (request,) = result.run_requests
    assert request.partition_key == period
    assert request.run_key == f"month-close:{period}"


@pytest.mark.parametrize("day", ["2026-11-03", "2026-11-05", "2026-12-01"])
def test_month_close_skips_the_other_days(day):
    result = _evaluate(day)
    assert result.run_requests == [] and result.skip_message


def test_the_business_day_is_configurable(monkeypatch):
    monkeypatch.setenv("SPM_MONTH_CLOSE_BUSINESS_DAY", "1")
    assert Settings.from_env().month_close_business_day == 1
    (request,) = _evaluate("2026-11-02").run_requests
    assert request.partition_key == "2026-10"
    assert _evaluate("2026-11-04").run_requests == []
    monkeypatch.setenv("SPM_MONTH_CLOSE_BUSINESS_DAY", "0")
    with pytest.raises(dg.Failure, match="SPM_MONTH_CLOSE_BUSINESS_DAY must be a whole number of business days"):
        Settings.from_env()


def test_publish_job_is_monthly_partitioned_and_separate_from_the_daily_job():
    publish = defs.resolve_job_def(PUBLISH_JOB_NAME)
    keys = publish.partitions_def.get_partition_keys()
    assert keys[0] == "2025-01" and "2026-10" in keys
    assert publish.op_retry_policy is not None
    assert defs.resolve_schedule_def("month_close").job_name == PUBLISH_JOB_NAME

    graph = defs.resolve_asset_graph()
    daily = defs.resolve_job_def(PIPELINE_JOB_NAME)
    publication = graph.get(dg.AssetKey("payout_publication"))
    assert publication.partitions_def is not None
    # The daily job keeps the unpartitioned graph, with the draft extract but not the publication.
    selected = {k.to_user_string() for k in daily.asset_layer.selected_asset_keys}
    assert {"payout_extract", "fct_payout_adjustment", "fct_payout_line", "bi_snapshot"} <= selected
    assert "payout_publication" not in selected
    assert {k.to_user_string() for k in publish.asset_layer.selected_asset_keys} == {"payout_publication"}
    # A backfill runs the months oldest first: each depends on the previous one.
    assert dg.AssetKey("payout_publication") in publication.parent_keys


def test_period_range_is_inclusive_and_ordered():
    assert period_range("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert period_range("2026-03", "2026-03") == ["2026-03"]
    with pytest.raises(SystemExit):
        period_range("2026-03", "2026-01")
    with pytest.raises(ValueError, match="YYYY-MM"):
        period_range("2026-3", "2026-04")


def test_upstream_check_evaluations_are_read_from_the_instance():
    from assets.payouts.publication import PUBLICATION_KEY, failed_upstream_checks

    graph = defs.resolve_asset_graph()
    gx = dg.AssetCheckKey(dg.AssetKey(["raw", "crm", "opportunity"]), "gx_contract_suite")
    fresh = dg.AssetCheckKey(dg.AssetKey(["raw", "crm", "opportunity"]), "newest_batch_is_fresh")

    def report(instance, key, passed, severity):
        instance.report_runless_asset_event(
            dg.AssetCheckEvaluation(asset_key=key.asset_key, check_name=key.name, passed=passed, severity=severity)
        )

    with dg.instance_for_test() as instance:
        failed, never = failed_upstream_checks(instance, graph, PUBLICATION_KEY)
        assert failed == [] and gx.to_user_string() in never
        report(instance, gx, False, dg.AssetCheckSeverity.ERROR)
        report(instance, fresh, False, dg.AssetCheckSeverity.WARN)  # a warning never blocks
        failed, never = failed_upstream_checks(instance, graph, PUBLICATION_KEY)
        assert failed == ["raw/crm/opportunity:gx_contract_suite"]
        assert gx.to_user_string() not in never
        report(instance, gx, True, dg.AssetCheckSeverity.ERROR)  # the latest evaluation counts
        assert failed_upstream_checks(instance, graph, PUBLICATION_KEY)[0] == []
