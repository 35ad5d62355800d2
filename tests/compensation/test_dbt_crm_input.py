"""What a real CRM export carries, through the warehouse (SPEC §2, §3):

* a won deal with a negative Amount is quarantined (won_deal_negative_amount) on
  its newest version and credits nobody; its older, positive version does not
  come back; a negative amount on a lost deal is kept and not reported;
* an open deal without Amount or AccountId flows: counted in the pipeline, not
  summed as 0;
* a line item of a won deal naming a product not in Product2 is reported
  (unknown_product), traced to the line item's row;
* a credited CRM user without HR worker says why: not in User, empty
  EmployeeNumber, or no worker with that employee id.

The small company of ``tests/support/raw.py`` plus a second Opportunity file
per batch (``Opportunity-real.csv``), Product2 and OpportunityLineItem.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.support.raw import B1, B2, _opportunity, build_small_company, write_batch
from tests.support.warehouse import build_warehouse, query

pytestmark = pytest.mark.slow  # builds a dbt warehouse

EXTRA = "Opportunity-real.csv"


def build_company_with_real_export_records(raw_dir: Path) -> None:
    build_small_company(raw_dir)
    write_batch(raw_dir, "crm", "opportunity", B1, [
        # O20's first version: won, 800
        _opportunity("O20", "U001", "800.00", "USD", "2026-02-18", True, "2026-02-01T10:00:00"),
    ], landing_name=EXTRA)
    lost = _opportunity("O21", "U001", "-300.00", "USD", "2026-02-19", False, "2026-02-19T10:00:00", stage="Closed Lost")
    lost["IsClosed"] = True
    open_without_amount = _opportunity("O22", "U001", None, "USD", "2026-03-20", False, "2026-02-21T10:00:00")
    open_without_amount["AccountId"] = None
    write_batch(raw_dir, "crm", "opportunity", B2, [
        # O20's newest version: still won, now -500
        _opportunity("O20", "U001", "-500.00", "USD", "2026-02-18", True, "2026-02-20T10:00:00"),
        lost,
        open_without_amount,
        _opportunity("O23", "U404", "100.00", "USD", "2026-02-22", True, "2026-02-22T10:00:00"),  # U404: not in User
        _opportunity("O24", "U010", "100.00", "USD", "2026-02-23", True, "2026-02-23T10:00:00"),  # empty EmployeeNumber
    ], landing_name=EXTRA)
    write_batch(raw_dir, "crm", "product", B2, [
        {"Id": "P1", "Name": "Platform", "ProductCode": "PLT", "Family": "Software", "IsActive": True},
    ])
    modified = _opportunity("x", "x", "0", "USD", "2026-01-01", True, "2026-01-20T10:00:00")["LastModifiedDate"]
    write_batch(raw_dir, "crm", "opportunity_line_item", B2, [
        {"Id": "L1", "OpportunityId": "O1", "Product2Id": "P1", "Quantity": Decimal("1"), "UnitPrice": Decimal("6000"),
         "TotalPrice": Decimal("6000"), "LastModifiedDate": modified},
        {"Id": "L2", "OpportunityId": "O1", "Product2Id": "P404", "Quantity": Decimal("2"), "UnitPrice": Decimal("2000"),
         "TotalPrice": Decimal("4000"), "LastModifiedDate": modified},
        {"Id": "L3", "OpportunityId": "O9", "Product2Id": "P404", "Quantity": Decimal("1"), "UnitPrice": Decimal("50000"),
         "TotalPrice": Decimal("50000"), "LastModifiedDate": modified},  # O9 is open: not a credit finding
    ])


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("dbt_crm_input"), build_company_with_real_export_records)[0]


def _quarantined(warehouse: Path, rule: str) -> list[tuple]:
    return query(
        warehouse,
        """
        select dataset, source_file, source_row, column_name, value, message, record_json
        from fct_quarantine where stage = 'warehouse' and rule = ? order by source_file, source_row
        """,
        [rule],
    )


def test_a_won_deal_with_a_negative_amount_is_quarantined_on_its_newest_version(warehouse):
    ((dataset, source_file, source_row, column, value, message, record),) = _quarantined(
        warehouse, "won_deal_negative_amount"
    )
    assert (dataset, source_file, source_row, column, value) == (
        "opportunity", f"crm/{B2}/{EXTRA}", 1, "Amount", "-500.0000000000"
    )
    assert message == (
        f"crm/{B2}/{EXTRA} row 1: Opportunity O20 is won with a negative Amount -500.0000000000 USD: "
        "no credit for the deal"
    )
    assert json.loads(record)["deal_amount"] == "-500.0000000000"


def test_the_older_positive_version_of_that_deal_is_not_credited_instead(warehouse):
    assert query(warehouse, "select count(*) from fct_credit where opportunity_id in ('O20', 'O21')") == [(0,)]
    assert query(warehouse, "select count(*) from fct_quarantine where message like '%O21%'") == [(0,)]


def test_an_open_deal_without_amount_or_account_counts_in_the_pipeline_but_adds_nothing(warehouse):
    assert query(warehouse, "select count(*) from fct_quarantine where message like '%O22%'") == [(0,)]
    rows = query(
        warehouse,
        """
        select horizon, open_deals, open_deals_without_amount, open_pipeline
        from fct_pipeline_coverage where employee_id = 'E001' order by horizon
        """,
    )
    # as of 2026-03-01: the quarter holds O22 (2026-03-20, no Amount); the plan year also O9 (50000)
    assert rows == [("plan_year", 2, 1, Decimal("50000")), ("quarter", 1, 1, Decimal("0"))]


def test_a_line_item_naming_a_product_not_in_product2_is_reported(warehouse):
    ((dataset, source_file, source_row, column, value, message, record),) = _quarantined(warehouse, "unknown_product")
    assert (dataset, source_file, source_row, column, value) == (
        "opportunity_line_item", f"crm/{B2}/OpportunityLineItem.csv", 2, "Product2Id", "P404"
    )
    assert message == (
        f"crm/{B2}/OpportunityLineItem.csv row 2: OpportunityLineItem L2 of opportunity O1 names Product2Id P404, "
        "which is not in Product2: its TotalPrice 4000.0000000000 is in no product family, so a component "
        "filtered on a family gets no credit for it"
    )
    assert json.loads(record) == {
        "line_item_id": "L2", "opportunity_id": "O1", "product_id": "P404", "total_price": "4000.0000000000",
        "deal_currency": "USD", "credit_date": "2026-01-20",
    }
    # The deal itself is still credited in full; 60% of it is Software, 40% in no family.
    families = query(
        warehouse,
        """
        select product_family, credit_amount from fct_credit_by_product_family
        where opportunity_id = 'O1' and credit_type = 'owner' order by product_family nulls last
        """,
    )
    assert families == [("Software", Decimal("6000")), (None, Decimal("4000"))]


def test_a_credited_user_without_hr_worker_says_why(warehouse):
    messages = {
        json.loads(record)["opportunity_id"]: message
        for *_, message, record in _quarantined(warehouse, "credit_user_without_hr_worker")
    }
    assert messages == {
        "O4": f"crm/{B2}/Opportunity.csv row 3: CRM user U009 credited on opportunity O4 has EmployeeNumber E999, "
              "but no HR worker has that employee_id: no credit",
        "O23": f"crm/{B2}/{EXTRA} row 4: CRM user U404 credited on opportunity O23 is not in User: no credit",
        "O24": f"crm/{B2}/{EXTRA} row 5: CRM user U010 credited on opportunity O24 has an empty EmployeeNumber in User: "
               "no credit",
    }


def test_the_small_company_is_otherwise_unchanged(warehouse):
    assert query(warehouse, "select credit_date from fct_credit where opportunity_id = 'O1' and credit_type = 'owner'") == [
        (date(2026, 1, 20),)
    ]
