"""Planning and insight marts end to end: the demo company through the whole Dagster graph
(the territory asset included), then the planning invariants on what came out.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from core.settings import SpmPaths
from tests.support.demo import demo_environment

pytestmark = pytest.mark.slow  # reads the session's demo run


@pytest.fixture(scope="module")
def pipeline(demo_pipeline):
    """The session's demo run (tests/conftest.py), with its settings in the environment."""
    paths, result, root = demo_pipeline
    with demo_environment(paths, root):
        yield paths, result


def _query(paths: SpmPaths, sql: str) -> list[tuple]:
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_the_run_materializes_the_territory_tables(pipeline):
    paths, result = pipeline
    assert result.success
    materialized = {tuple(e.asset_key.path) for e in result.get_asset_materialization_events()}
    assert ("raw", "config", "territory_rule") in materialized
    assert ("fct_quota_proposal",) in materialized and ("fct_pipeline_coverage",) in materialized


def test_every_account_is_in_a_territory_and_unmatched_ones_are_reported(pipeline):
    paths, _ = pipeline
    ((accounts,),) = _query(paths, "select count(*) from stg_salesforce__accounts")
    (mapped, defaulted, null_territory) = _query(
        paths, "select count(*), sum(case when is_default_territory then 1 else 0 end), count(*) - count(territory_id) "
               "from fct_account_territory")[0]
    assert mapped == accounts > 0
    assert null_territory == 0
    # accounts in Australia and Japan match no demo rule: they are in UNASSIGNED
    assert defaulted > 0
    assert _query(paths, "select distinct territory_id from fct_account_territory where is_default_territory") == [("UNASSIGNED",)]


def test_demo_quota_proposals_add_up_to_each_company_target(pipeline):
    paths, _ = pipeline
    targets = dict(_query(paths, "select plan_year, target_amount from stg_config__company_targets"))
    assert set(targets) == {2026, 2027}
    proposals = dict(_query(paths, "select plan_year, sum(proposed_quota) from fct_quota_proposal group by 1"))
    territories = dict(_query(paths, "select plan_year, sum(territory_target) from fct_territory_potential group by 1"))
    assert proposals == targets == territories
    # whole currency units, never negative
    assert _query(paths, "select count(*) from fct_quota_proposal "
                         "where proposed_quota < 0 or proposed_quota <> round(proposed_quota, 0)") == [(0,)]


def test_demo_capacity_plan_and_insights_are_populated(pipeline):
    paths, _ = pipeline
    rows = _query(paths, "select plan_year, productivity, planned_payees, new_hires_needed from fct_capacity_plan order by 1")
    assert [r[0] for r in rows] == [2026, 2027]
    assert all(r[1] is not None and r[1] > 0 and r[2] > 0 and r[3] is not None for r in rows)
    for mart in ("fct_attainment_distribution", "fct_sales_performance", "fct_discounting", "fct_pipeline_coverage",
                 "fct_product_family_performance", "fct_payee_attainment_flag", "fct_quota_proposal_vs_assigned"):
        assert _query(paths, f"select count(*) from {mart}")[0][0] > 0, mart
    # the demo discounts 0-25% in steps of 5: the derived list price gives a rate inside that range
    (low, high) = _query(paths, "select min(discount_rate), max(discount_rate) from fct_discounting where line_items >= 5")[0]
    assert Decimal(0) <= low and high <= Decimal("0.25")


def test_the_bi_snapshot_carries_the_planning_and_insight_marts(pipeline):
    paths, _ = pipeline
    snapshot = Path(paths.export_dir) / "bi" / "current"
    for mart in ("fct_quota_proposal", "fct_capacity_plan", "fct_attainment_distribution"):
        assert (snapshot / f"{mart}.parquet").is_file(), mart


def test_the_demo_planning_configuration_keeps_the_contract(pipeline):
    paths, _ = pipeline
    # no ingest quarantine for the two planning CSVs, every demo territory assignment usable
    assert _query(paths, "select count(*) from fct_quarantine "
                         "where dataset in ('territory_assignments', 'company_targets')") == [(0,)]
    assert _query(paths, "select count(*), sum(case when is_usable then 1 else 0 end) from fct_territory_assignment")[0][0] > 0
    assert _query(paths, "select count(*) from fct_territory_assignment where not is_usable") == [(0,)]
