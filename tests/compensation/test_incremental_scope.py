"""The engine scope's rules, each on a change only it reaches (docs/incremental.md).

The small company of tests/support/raw.py, with line items, history, products and
a manager chain through an employee HR has no worker record for, is built, then
two batches are landed one after the other, each built incrementally on the one
before; after each, every model equals the build of the same raw layer from
nothing:

* batch 3 (CRM): a line item, a history row and a split move to another deal;
  the moved line item raises a product's list price (a deal that nothing else
  reaches is repriced); a CRM user that owns an open deal gets an HR worker; a
  conversion rate from April changes the corporate amount of an open deal; a
  product changes family (its line item on a deal without an Opportunity row
  too);
* batch 4 (HR): the manager of an employee without a worker record changes: the
  forecasts' team rows of every deal below them change.

A changed engine then recomputes every deal (the deals of records without an
Opportunity row too) and still equals the full build.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from tests.compensation.test_incremental import build, differences, model_relations, scope
from tests.support.raw import B1, B2, _opportunity, _split, _ts, build_small_company, write_batch
from tests.support.warehouse import query

pytestmark = pytest.mark.slow

B3, B4 = "2026-03-10", "2026-03-20"
INCREMENTAL_MODELS = {
    "stg_salesforce__opportunity_history", "stg_salesforce__opportunity_line_items", "int_planning_opportunities",
    "int_line_items_priced", "dim_opportunity", "fct_opportunity_history", "fct_pipeline_credit_share",
}


def _line(id_, deal, product, quantity, price, modified) -> dict:
    return {"Id": id_, "OpportunityId": deal, "Product2Id": product, "Quantity": D(quantity), "UnitPrice": D(price),
            "TotalPrice": D(quantity) * D(price), "LastModifiedDate": _ts(modified)}


def _history(id_, deal, stage, amount, close, created) -> dict:
    return {"Id": id_, "OpportunityId": deal, "StageName": stage, "Amount": D(amount),
            "CloseDate": date.fromisoformat(close), "CreatedDate": _ts(created)}


def _job(employee, effective, manager) -> dict:
    return {"employee_id": employee, "effective_date": date.fromisoformat(effective), "job_family": None,
            "job_title": None, "manager_employee_id": manager, "cost_center": None, "annual_target_incentive": None}


def stage_1(raw: Path) -> None:
    """The small company, plus line items, history, products, two open deals nobody is credited on
    and a manager chain E001 -> E003 -> E050 (no worker record) -> E002."""
    build_small_company(raw)
    write_batch(raw, "crm", "product", B1, [
        {"Id": "P1", "Name": "Seat", "ProductCode": "P-1", "Family": "Software", "IsActive": True},
        {"Id": "P2", "Name": "Setup", "ProductCode": "P-2", "Family": "Services", "IsActive": True},
    ])
    write_batch(raw, "crm", "opportunity", B1, [
        _opportunity("O14", "U010", "2000.00", "USD", "2026-06-30", False, "2026-01-30T12:00:00"),
        _opportunity("O15", "U002", "3000.00", "EUR", "2026-05-31", False, "2026-01-30T12:00:00"),
        _opportunity("O16", "U002", "4000.00", "EUR", "2026-06-30", False, "2026-01-30T12:00:00"),
    ], landing_name="Opportunity_open.csv")
    write_batch(raw, "crm", "opportunity_line_item", B1, [
        _line("L1", "O1", "P1", "1", "100", "2026-01-20T10:00:00"),
        _line("L2", "O9", "P1", "1", "120", "2026-01-30T12:00:00"),
        _line("L5", "O8", "P1", "2", "100", "2026-01-30T12:00:00"),
        _line("L9", "O99", "P2", "1", "10", "2026-01-30T12:00:00"),  # a deal without an Opportunity row
    ])
    write_batch(raw, "crm", "opportunity_line_item", B2, [
        _line("L3", "O10", "P1", "2", "90", "2026-02-25T10:00:00"),
        _line("L4", "O2", "P2", "1", "500", "2026-02-10T10:00:00"),
    ])
    write_batch(raw, "crm", "opportunity_history", B1, [
        _history("H1", "O1", "Closed Won", "10000", "2026-01-20", "2026-01-20T10:00:00"),
        _history("H2", "O9", "Negotiation", "50000", "2026-04-30", "2026-01-30T12:00:00"),
    ])
    write_batch(raw, "hr", "job_history", B1, [
        _job("E003", "2026-01-01", "E050"),
        _job("E050", "2025-01-01", "E002"),
    ])


def stage_2(raw: Path) -> None:
    """Batch 3: records move between deals, a list price rises, a user gets a worker, a rate, a product."""
    write_batch(raw, "crm", "opportunity_line_item", B3, [
        _line("L2", "O10", "P1", "1", "150", "2026-03-10T10:00:00"),  # from O9 to O10, P1/USD list 120 -> 150
    ])
    write_batch(raw, "crm", "opportunity_history", B3, [
        _history("H1", "O15", "Closed Won", "10000", "2026-01-20", "2026-01-20T10:00:00"),  # from O1 to O15
    ])
    write_batch(raw, "crm", "opportunity_split", B3, [
        _split("S32", "O15", "U003", "40", "2026-03-10T10:00:00"),  # from O3 to O15
    ])
    write_batch(raw, "crm", "user", B3, [
        {"Id": "U010", "Name": "Integration User", "Email": None, "EmployeeNumber": "E004", "IsActive": True},
    ])
    write_batch(raw, "crm", "dated_conversion_rate", B3, [
        {"IsoCode": "EUR", "StartDate": date(2026, 4, 1), "NextStartDate": date(2027, 1, 1),
         "ConversionRate": D("0.95")},
    ])
    write_batch(raw, "crm", "product", B3, [
        {"Id": "P2", "Name": "Setup", "ProductCode": "P-2", "Family": "Support", "IsActive": True},
    ])


def stage_3(raw: Path) -> None:
    """Batch 4 (HR): E050, above E003 and everyone below, reports to E004 from March."""
    write_batch(raw, "hr", "job_history", B4, [_job("E050", "2026-03-01", "E004")])


def touched(warehouse: Path) -> set[str]:
    return {deal for (deal,) in query(warehouse, "select opportunity_id from int_engine_touched_opportunities")}


def test_each_scope_rule_keeps_the_incremental_build_equal_to_the_full_one(tmp_path):
    warehouse = tmp_path / "incremental.duckdb"
    stages = (stage_1, stage_2, stage_3)
    models = ("--resource-type", "seed", "--resource-type", "model")
    raw = None
    for k, write_stage in enumerate(stages, start=1):
        raw = tmp_path / f"stage{k}" / "raw"
        if k > 1:
            shutil.copytree(tmp_path / f"stage{k - 1}" / "raw", raw)
        write_stage(raw)
        results = build(raw, warehouse, tmp_path / f"stage{k}", *models)
        deals, full_rebuild = scope(warehouse)
        assert full_rebuild == (k == 1)
        if k == 1:
            manifest = json.loads((tmp_path / "stage1" / "target" / "manifest.json").read_text())
            incremental = {node["name"] for node in manifest["nodes"].values()
                           if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"}
            assert INCREMENTAL_MODELS <= incremental
            continue
        in_scope = touched(warehouse)
        if k == 2:
            # moved records: both deals; the user of an open deal's owner; an open deal's currency rate;
            # the product's deals (and the line item's deal without an Opportunity row)
            assert {"O9", "O10", "O1", "O15", "O3", "O14", "O16", "O2", "O99"} <= in_scope, in_scope
            # O8 is repriced (its P1 line's list price rose) without being in the scope
            assert "O8" not in in_scope
        else:
            # below E050 in the chain: every deal of E003's reports, open O9 too
            assert {"O9", "O14", "O16"} <= in_scope, in_scope
        full = tmp_path / f"full{k}.duckdb"
        build(raw, full, tmp_path / f"full{k}", *models)
        relations = model_relations(full)
        assert INCREMENTAL_MODELS <= set(relations)
        assert differences(warehouse, full, relations) == {}, f"batch {k + 1}"
        assert results

    # the staging tables keep the line item of a deal without an Opportunity row
    assert query(warehouse, "select opportunity_id from stg_salesforce__opportunity_line_items "
                            "where line_item_id = 'L9'") == [("O99",)]
    # a changed engine: every deal, also O99, recomputed; still the full build
    build(raw, warehouse, tmp_path / "new_engine", *models, engine="another-engine")
    deals, full_rebuild = scope(warehouse)
    assert full_rebuild and "O99" in touched(warehouse)
    assert differences(warehouse, tmp_path / "full3.duckdb", model_relations(tmp_path / "full3.duckdb")) == {}
