"""The code location loads, and its graph holds every stage with its checks."""

from __future__ import annotations

import dagster as dg

from assets.ingest.contract import CONTRACTS
from orchestration.definitions import PIPELINE_JOB_NAME, defs


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
    parents = {k.to_user_string() for k in graph.get(dg.AssetKey("stg_salesforce__opportunities")).parent_keys}
    assert parents == {"raw/crm/opportunity"}


def test_every_ingest_asset_has_a_blocking_gx_check_and_dbt_tests_are_checks():
    graph = defs.resolve_asset_graph()
    check_keys = graph.asset_check_keys
    for contract in CONTRACTS:
        key = dg.AssetKey(["raw", contract.system, contract.name])
        assert dg.AssetCheckKey(key, "gx_contract_suite") in check_keys
    assert any(k.asset_key == dg.AssetKey("fct_commission") for k in check_keys)
