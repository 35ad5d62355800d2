"""A pay period is published once it has ended; the CLI says so in one line for the month still running."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import dagster as dg
import pytest

from assets.payouts.publication import PAY_PERIODS, PUBLICATION_KEY, failed_upstream_checks, publish_refusal
from orchestration.cli import main


def test_the_running_month_is_refused_until_the_first_day_of_the_next():
    assert publish_refusal("2026-12", date(2026, 12, 4)) == (
        "Refusing to publish 2026-12: the period has not ended (it ends on 2026-12-31); publish it from 2027-01-01."
    )
    assert publish_refusal("2026-12", date(2026, 12, 31)) is not None  # its last day: still running
    assert publish_refusal("2026-12", date(2027, 1, 1)) is None
    assert publish_refusal("2026-11", date(2026, 12, 4)) is None  # November ended on the 30th
    # February 2028 has 29 days.
    assert "it ends on 2028-02-29); publish it from 2028-03-01" in publish_refusal("2028-02", date(2028, 2, 10))


def test_a_future_month_and_a_month_before_the_first_pay_period_are_refused():
    assert publish_refusal("2027-03", date(2026, 12, 4)) == (
        "Refusing to publish 2027-03: the period is in the future (it runs from 2027-03-01 to 2027-03-31); "
        "publish it from 2027-04-01."
    )
    assert publish_refusal("2024-12", date(2026, 12, 4)) == "Refusing to publish 2024-12: the first pay period is 2025-01."


@pytest.mark.parametrize("today", [date(2026, 12, 4), date(2026, 12, 31), date(2027, 1, 1), date(2025, 2, 1)])
def test_the_publishable_months_are_the_publish_jobs_partitions(today):
    now = datetime(today.year, today.month, today.day, 12, tzinfo=timezone.utc)
    partitions = PAY_PERIODS.get_partition_keys(current_time=now)
    months = [f"{y}-{m:02d}" for y in range(2024, 2029) for m in range(1, 13)]
    assert [p for p in months if publish_refusal(p, today) is None] == list(partitions)


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def test_publishing_the_current_or_a_future_month_prints_one_line_and_exits_non_zero(capfd, tmp_path, monkeypatch):
    monkeypatch.setenv("SPM_EXPORT_DIR", str(tmp_path / "exports"))
    today = datetime.now(timezone.utc).date()
    in_two_months = (today.replace(day=1) + timedelta(days=62)).replace(day=1)
    for period in (_month(today), _month(in_two_months)):
        assert main(["publish", "--period", period]) == 2  # a refusal: a user error
        console = capfd.readouterr()
        assert console.out == ""
        (line,) = console.err.splitlines()
        assert line.startswith(f"Refusing to publish {period}: the period ")
    assert main(["backfill", "--from", "2026-01", "--to", _month(today)]) == 2
    assert capfd.readouterr().err.startswith(f"Refusing to publish {_month(today)}: the period has not ended")
    assert not (tmp_path / "exports").exists()  # nothing published, not even earlier months of the range


def test_a_malformed_period_is_a_usage_error_in_one_line(capfd):
    with pytest.raises(SystemExit) as exited:
        main(["publish", "--period", "2026-13"])
    assert exited.value.code == 2
    assert "argument --period: A pay period is written YYYY-MM (e.g. 2026-10), not '2026-13'." in capfd.readouterr().err


def test_a_failed_quarantine_threshold_blocks_the_publication():
    # The run it stopped left an older warehouse behind: publishing it would pay on stale data.
    from orchestration.definitions import defs

    key = dg.AssetCheckKey(dg.AssetKey(["raw", "quarantine"]), "quarantine_below_threshold")
    with dg.instance_for_test() as instance:
        instance.report_runless_asset_event(
            dg.AssetCheckEvaluation(asset_key=key.asset_key, check_name=key.name, passed=False,
                                    severity=dg.AssetCheckSeverity.ERROR)
        )
        failed, _ = failed_upstream_checks(instance, defs.resolve_asset_graph(), PUBLICATION_KEY)
    assert failed == ["raw/quarantine:quarantine_below_threshold"]


def _state(**changes):
    from assets.payouts.publication import UpstreamState

    return UpstreamState(**{"failed": [], "unevaluated": [], "run_id": "2985e4f7-0000", "run_status": "SUCCESS", **changes})


def test_publishing_needs_a_successful_newest_run_and_every_blocking_check_evaluated():
    from assets.payouts.publication import unchecked_refusal

    hint = 'Run the pipeline again, or publish anyway with --allow-unchecked --reason "..." (recorded in the ledger).'
    assert unchecked_refusal("2026-10", _state()) is None
    assert unchecked_refusal("2026-10", _state(run_status="FAILURE")) == (
        f"Refusing to publish 2026-10: the newest run that built its payout lines (run 2985e4f7) failed. {hint}"
    )
    assert unchecked_refusal("2026-10", _state(run_status="STARTED")) == (
        "Refusing to publish 2026-10: the newest run that built its payout lines (run 2985e4f7) did not succeed "
        f"(status STARTED). {hint}"
    )
    assert unchecked_refusal("2026-10", _state(run_id=None, run_status=None)).startswith(
        "Refusing to publish 2026-10: no pipeline run has built its payout lines (fct_payout_file_line)"
    )
    checks = [f"fct_payout_line:check_{n}" for n in range(5)]
    assert unchecked_refusal("2026-10", _state(run_status="FAILURE", unevaluated=checks)) == (
        "Refusing to publish 2026-10: the newest run that built its payout lines (run 2985e4f7) failed; 5 blocking "
        "check(s) upstream were not evaluated (fct_payout_line:check_0, fct_payout_line:check_1, "
        f"fct_payout_line:check_2, ...). {hint}"
    )


def test_only_blocking_checks_count_as_unevaluated():
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    with dg.instance_for_test() as instance:
        _, never = failed_upstream_checks(instance, graph, PUBLICATION_KEY)
    assert "raw/crm/opportunity:gx_contract_suite" in never
    assert "raw/crm/opportunity:newest_batch_is_fresh" not in never  # a warning: never blocks
    assert all(graph.get_check_spec(dg.AssetCheckKey.from_user_string(k)).blocking for k in never)
