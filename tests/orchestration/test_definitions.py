"""The code location loads, and its graph holds every stage with its checks."""

from __future__ import annotations

import dagster as dg

from assets.ingest.contract import CONTRACTS
from orchestration.definitions import PIPELINE_JOB_NAME, defs


def test_a_run_can_leave_out_the_forecasts_and_what_reads_them():
    # orchestration/cli.py run_pipeline(leave_out=...), as the ledger tests run it (tests/support/demo.py)
    from orchestration.cli import assets_without

    job = defs.resolve_job_def(PIPELINE_JOB_NAME)
    every = {key.to_user_string() for key in job.asset_layer.asset_graph.executable_asset_keys}
    assert assets_without(job, ()) is None
    kept = {key.to_user_string() for key in assets_without(job, ("bookings_forecast", "payout_forecast"))}
    # the BI snapshot reads the forecasts: it goes with them; nothing else does
    assert every - kept == {"bookings_forecast", "payout_forecast", "bi_snapshot"}
    assert {"payout_extract", "payee_statements", "journal_entries", "fct_payout_line"} <= kept
    kept = {key.to_user_string() for key in assets_without(job, ("payout_forecast",))}
    assert every - kept == {"payout_forecast", "bi_snapshot"}


def test_pipeline_job_resolves():
    job = defs.resolve_job_def(PIPELINE_JOB_NAME)
    assert job.name == PIPELINE_JOB_NAME


def test_graph_has_ingest_warehouse_and_payout_assets():
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    for contract in CONTRACTS:
        assert f"raw/{contract.system}/{contract.name}" in keys
    assert {"raw/config/plan", "raw/config/plan_component"} <= keys
    assert {"dim_payee", "dim_period", "fct_credit", "fct_quota", "fct_attainment", "fct_commission"} <= keys
    assert "payout_extract" in keys


def test_dbt_models_read_the_ingest_assets():
    graph = defs.resolve_asset_graph()
    parents = {k.to_user_string() for k in graph.get(dg.AssetKey("stg_salesforce__opportunity_versions")).parent_keys}
    assert parents == {"raw/crm/opportunity"}


def test_every_ingest_asset_has_a_blocking_gx_check_and_dbt_tests_are_checks():
    graph = defs.resolve_asset_graph()
    check_keys = graph.asset_check_keys
    for contract in CONTRACTS:
        key = dg.AssetKey(["raw", contract.system, contract.name])
        assert dg.AssetCheckKey(key, "gx_contract_suite") in check_keys
    assert any(k.asset_key == dg.AssetKey("fct_commission") for k in check_keys)


def test_both_jobs_retry_transient_failures_and_log_user_errors_in_one_line():
    from core.failures import is_user_error, user_error
    from orchestration.run_console import spm_console_logger
    from orchestration.definitions import PUBLISH_JOB_NAME

    for name in (PIPELINE_JOB_NAME, PUBLISH_JOB_NAME):
        job = defs.resolve_job_def(name)
        assert job.op_retry_policy is not None and job.op_retry_policy.max_retries >= 1
        assert job.loggers["console"] is spm_console_logger
    error = user_error("crm/2026-11-27/Opportunity.csv: missing required column(s) CloseDate")
    assert is_user_error(error) and not error.allow_retries
    assert not is_user_error(dg.Failure("a dbt build that lost the warehouse lock"))  # retried
