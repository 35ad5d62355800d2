"""The small company of ``tests/support/raw.py`` plus what quota and crediting rules need.

Added in a third batch (B3 = 2026-03-02), every number checked in
``tests/compensation/test_dbt_quota_crediting.py``:

* E005 Erin (USD) hired 2026-04-16 on PLAN_RAMP (ramp 0.25, 0.5, 0.75), quota
  120000 with the seasonality profile SEAS (0.05 in Jan, Feb, Jul, Aug; 0.10 in
  the other months); unpaid leave 2026-08-10..19 (10 days), paid leave
  2026-09-01..05.
* E006 Finn (USD) hired 2020, terminated 2026-03-10, quota 36000 (1/12).
* Hierarchy: E007 Grace (EUR, VP, no manager) manages E003 Carol and E008 Hank
  (GBP). Alice E001 reported to E003 until 2026-01-31 and to E008 from
  2026-02-01 (job history); the current HR record says E008.
* Clawback: Finn E006 (CRM user U006) is on PLAN_CB (clawback window 30 days).
  O20 (4000 USD, closed 2026-01-10) was won in batch 2026-01-15 and lost on
  2026-02-01 (OpportunityHistory): 22 days, inside the window, reversed. O21
  (2500 USD, closed 2026-01-05) was won, then deleted in batch 2026-03-02
  (no history: the batch date counts): 56 days, outside, the credit stands.
  O22 (closed 2026-01-20) was reduced from 6000 to 5000 on 2026-02-10
  (history): 21 days, the reduction is reversed (5000 counts). O23 (closed
  2026-01-02) was reduced from 8000 to 7000 in batch 2026-03-02: 59 days, the
  8000 stands.
* Line items: O1 has Software 5000 (2 units) + Services 2500 (10 units) +
  Software 1500 (1 unit); O2 has one Services line of 7 units.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from assets.ingest.plans import PLAN_RAMP_SCHEMA, PLAN_SCHEMA
from tests.support.raw import _frame, _opportunity, _ts, _worker, build_small_company, write_batch

B3 = "2026-03-02"
B0 = "2026-01-15"

SEASONALITY = {1: "0.05", 2: "0.05", 3: "0.10", 4: "0.10", 5: "0.10", 6: "0.10",
               7: "0.05", 8: "0.05", 9: "0.10", 10: "0.10", 11: "0.10", 12: "0.10"}


def build_quota_company(raw_dir: Path) -> None:
    raw_dir = Path(raw_dir)
    build_small_company(raw_dir)

    erin = _worker("E005", "Erin Eng", "USD", "2026-04-16", manager="E003")
    finn = _worker("E006", "Finn Frey", "USD", "2020-01-01", manager="E003")
    finn["termination_date"] = date(2026, 3, 10)
    write_batch(raw_dir, "hr", "workers", B3, [
        _worker("E001", "Alice Adams", "USD", "2024-01-15", title="Senior Account Executive", manager="E008"),
        _worker("E003", "Carol Chen", "USD", "2020-03-01", title="Sales Manager", manager="E007", ti="30000"),
        erin,
        finn,
        _worker("E007", "Grace Gill", "EUR", "2019-01-01", title="VP Sales", manager=None, ti="50000"),
        _worker("E008", "Hank Hill", "GBP", "2021-01-01", title="Sales Manager", manager="E007", ti="30000"),
    ])
    write_batch(raw_dir, "hr", "job_history", B3, [
        {"employee_id": "E001", "effective_date": date(2024, 1, 15), "job_title": "Account Executive",
         "manager_employee_id": "E003"},
        {"employee_id": "E001", "effective_date": date(2026, 2, 1), "job_title": "Senior Account Executive",
         "manager_employee_id": "E008"},
    ])
    write_batch(raw_dir, "hr", "leave", B3, [
        {"employee_id": "E005", "start_date": date(2026, 8, 10), "end_date": date(2026, 8, 19),
         "leave_type": "personal", "paid": False},
        {"employee_id": "E005", "start_date": date(2026, 9, 1), "end_date": date(2026, 9, 5),
         "leave_type": "vacation", "paid": True},
    ])
    write_batch(raw_dir, "config", "quotas", B3, [
        {"employee_id": "E005", "plan_year": 2026, "annual_quota": Decimal("120000"), "currency": "USD",
         "seasonality_profile": "SEAS"},
        {"employee_id": "E006", "plan_year": 2026, "annual_quota": Decimal("36000"), "currency": "USD"},
    ])
    write_batch(raw_dir, "config", "seasonality", B3, [
        {"seasonality_profile": "SEAS", "month_of_year": m, "weight": Decimal(w)} for m, w in SEASONALITY.items()
    ])
    write_batch(raw_dir, "config", "plan_assignments", B3, [
        {"employee_id": "E005", "plan_id": "PLAN_RAMP", "start_date": date(2026, 4, 16), "end_date": None},
        {"employee_id": "E006", "plan_id": "PLAN_CB", "start_date": date(2026, 1, 1), "end_date": None},
    ])
    _frame([
        {"plan_id": "PLAN_RAMP", "plan_name": "Ramping AE 2026", "effective_start": date(2026, 1, 1),
         "effective_end": date(2026, 12, 31), "source_file": "plans/plan_ramp.yaml"},
        {"plan_id": "PLAN_CB", "plan_name": "Clawback 2026", "effective_start": date(2026, 1, 1),
         "effective_end": date(2026, 12, 31), "source_file": "plans/plan_cb.yaml", "clawback_window_days": 30},
    ], PLAN_SCHEMA).write_parquet(raw_dir / "config" / "plan" / "plans_ramp.parquet")
    _frame([
        {"plan_id": "PLAN_RAMP", "employment_month": k, "quota_factor": Decimal(f)}
        for k, f in ((1, "0.25"), (2, "0.5"), (3, "0.75"))
    ], PLAN_RAMP_SCHEMA).write_parquet(raw_dir / "config" / "plan_ramp" / "plan_ramps.parquet")

    write_batch(raw_dir, "crm", "product", B3, [
        {"Id": "P1", "Name": "Platform", "ProductCode": "PLT", "Family": "Software", "IsActive": True},
        {"Id": "P2", "Name": "Onboarding", "ProductCode": "ONB", "Family": "Services", "IsActive": True},
    ])
    write_batch(raw_dir, "crm", "opportunity_line_item", B3, [
        {"Id": "L1", "OpportunityId": "O1", "Product2Id": "P1", "Quantity": Decimal(2),
         "UnitPrice": Decimal(2500), "TotalPrice": Decimal(5000), "LastModifiedDate": None},
        {"Id": "L2", "OpportunityId": "O1", "Product2Id": "P2", "Quantity": Decimal(10),
         "UnitPrice": Decimal(250), "TotalPrice": Decimal(2500), "LastModifiedDate": None},
        {"Id": "L3", "OpportunityId": "O1", "Product2Id": "P1", "Quantity": Decimal(1),
         "UnitPrice": Decimal(1500), "TotalPrice": Decimal(1500), "LastModifiedDate": None},
        {"Id": "L4", "OpportunityId": "O2", "Product2Id": "P2", "Quantity": Decimal(7),
         "UnitPrice": Decimal("176366.8414285714"), "TotalPrice": Decimal("1234567.89"), "LastModifiedDate": None},
    ])

    # ---- Clawback
    write_batch(raw_dir, "crm", "user", B3, [
        {"Id": "U006", "Name": "Finn Frey", "Email": "e006@example.com", "EmployeeNumber": "E006", "IsActive": True},
    ])
    write_batch(raw_dir, "crm", "opportunity", B0, [
        _opportunity("O20", "U006", "4000.00", "USD", "2026-01-10", True, "2026-01-10T10:00:00"),
        _opportunity("O21", "U006", "2500.00", "USD", "2026-01-05", True, "2026-01-05T10:00:00"),
        _opportunity("O22", "U006", "6000.00", "USD", "2026-01-20", True, "2026-01-20T10:00:00"),
        _opportunity("O23", "U006", "8000.00", "USD", "2026-01-02", True, "2026-01-02T10:00:00"),
    ])
    write_batch(raw_dir, "crm", "opportunity", B3, [
        _opportunity("O20", "U006", "4000.00", "USD", "2026-01-10", False, "2026-02-01T09:00:00",
                     stage="Closed Lost"),
        _opportunity("O21", "U006", "2500.00", "USD", "2026-01-05", True, "2026-03-01T09:00:00", deleted=True),
        _opportunity("O22", "U006", "5000.00", "USD", "2026-01-20", True, "2026-02-10T09:00:00"),
        _opportunity("O23", "U006", "7000.00", "USD", "2026-01-02", True, "2026-03-01T09:00:00"),
    ])
    write_batch(raw_dir, "crm", "opportunity_history", B3, [
        {"Id": "H201", "OpportunityId": "O20", "StageName": "Closed Won", "Amount": Decimal("4000"),
         "CloseDate": date(2026, 1, 10), "CreatedDate": _ts("2026-01-10T10:00:00")},
        {"Id": "H202", "OpportunityId": "O20", "StageName": "Closed Lost", "Amount": Decimal("4000"),
         "CloseDate": date(2026, 1, 10), "CreatedDate": _ts("2026-02-01T09:00:00")},
        {"Id": "H221", "OpportunityId": "O22", "StageName": "Closed Won", "Amount": Decimal("5000"),
         "CloseDate": date(2026, 1, 20), "CreatedDate": _ts("2026-02-10T09:00:00")},
    ])
