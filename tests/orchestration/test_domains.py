"""One house by domain: each domain package has its own Definitions, the code location merges
exactly those, and the Dagster groups and dbt folders carry the same domain names."""

from __future__ import annotations

import dagster as dg

from core.dbt import domain_of
from core.settings import DBT_PROJECT_DIR, REPO_ROOT
from orchestration.definitions import DOMAINS, defs

PYTHON_DOMAINS = {"ingest", "planning", "compensation", "payouts", "finance", "statements", "forecasts", "bi"}
# Domains of the engine's marts with no Python package of their own (docs/insights.md).
DBT_ONLY_DOMAINS = {"insights"}


def test_every_domain_package_has_definitions_and_the_code_location_merges_them_all():
    packages = {p.name for p in (REPO_ROOT / "assets").iterdir() if (p / "__init__.py").exists()}
    assert packages == PYTHON_DOMAINS
    assert {domain.__name__.split(".")[1] for domain in DOMAINS} == PYTHON_DOMAINS
    for domain in DOMAINS:
        assert isinstance(domain.defs, dg.Definitions), domain.__name__


def test_dbt_folders_under_intermediate_and_marts_are_domains():
    for layer in ("intermediate", "marts"):
        folders = {p.name for p in (DBT_PROJECT_DIR / "models" / layer).iterdir() if p.is_dir()}
        assert folders <= PYTHON_DOMAINS | DBT_ONLY_DOMAINS, (layer, folders - PYTHON_DOMAINS - DBT_ONLY_DOMAINS)


def test_every_asset_is_grouped_by_its_domain():
    graph = defs.resolve_asset_graph()
    groups = {graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert groups <= PYTHON_DOMAINS | DBT_ONLY_DOMAINS, groups - PYTHON_DOMAINS - DBT_ONLY_DOMAINS
    group_of = {key.to_user_string(): graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert group_of["stg_salesforce__opportunities"] == "ingest"
    assert group_of["fct_payout_line"] == "payouts" and group_of["stg_ledger__publications"] == "payouts"
    assert group_of["payout_ledger/lines"] == "payouts" and group_of["int_credits"] == "compensation"
    assert group_of["fct_journal_line"] == "finance" and group_of["payee_statements"] == "statements"


def test_the_domain_of_a_dbt_node_is_the_folder_under_its_layer():
    assert domain_of({"resource_type": "model", "fqn": ["spm", "marts", "payouts", "fct_payout_line"]}) == "payouts"
    assert domain_of({"resource_type": "model", "fqn": ["spm", "intermediate", "compensation", "crediting", "int_x"]}) == "compensation"
    assert domain_of({"resource_type": "model", "fqn": ["spm", "staging", "salesforce", "stg_x"]}) == "ingest"
    assert domain_of({"resource_type": "model", "fqn": ["spm", "staging", "ledger", "stg_ledger__lines"]}) == "payouts"
    assert domain_of({"resource_type": "source", "source_name": "ledger", "fqn": ["spm", "staging", "ledger", "ledger", "lines"]}) == "payouts"
    assert domain_of({"resource_type": "source", "source_name": "crm", "fqn": ["spm", "staging", "salesforce", "crm", "x"]}) == "ingest"
