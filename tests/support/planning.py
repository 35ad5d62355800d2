"""The small company of ``tests/support/raw.py`` plus a hand-checkable sales plan and 2025 deals.

Added in batch B4 = 2026-03-05 (the newest Opportunity batch: the as-of date of
pipeline coverage); every number is checked in ``tests/planning/test_planning_dbt.py``
and ``tests/insights/test_insights_dbt.py``.

* Territories (PLANNING_YAML): bands enterprise (revenue >= 1e9 or >= 5000
  employees), mid (revenue >= 1e8), small (revenue < 1e8); rules fins (p10,
  US + Financial Services), ent (p20, US + enterprise), us (p30, US), eu (p40,
  Germany); default UNASSIGNED. Weights 0.4 size / 0.6 history, 12 months.
* Accounts: A1 US Technology 2e9 (enterprise: ent beats us) -> T-ENT;
  A2 US Healthcare 5e8 (mid) -> T-US; A3 Germany Retail 5e7 -> T-EU;
  A4 Japan 3e9 -> UNASSIGNED; A5 US Financial Services, no revenue, 6000
  employees (enterprise by head count: fins beats ent and us) -> T-FINS.
* 2025 deals (history of plan year 2026, all USD unless said): H1 A1 won
  2025-06-10 300000 (created 2025-04-11), H6 A1 lost 2025-06-20 100000, H7 A1
  won 2025-06-25 100000 EUR (EUR 0.8 in 2025: 125000 USD; created 2025-06-05),
  all owned by U001 (E001); H2 A2 won 2025-09-01 100000 (U003); H3 A3 won
  2025-11-15 100000 (U001); H4 A4 won 2025-03-01 100000 (U001).
* Line items: H1 P1 10 x 27000 + P2 30 x 1000; H3 P1 3 x 30000 + P2 10 x 1000;
  H7 P1 4 x 25000 EUR. List prices: P1 USD 30000, P1 EUR 25000, P2 USD 1000.
* Territory assignments: E001 T-ENT 2025-01-01..2026-06-30 then T-US from
  2026-07-01; E002 T-EU from 2025-06-01 (hired then); E004 T-US from
  2026-01-01 and T-ENT 2026-10-01..2026-12-31 (overlap: the later start wins
  Oct-Dec); E005 (hired 2026-07-01 on PLAN_RAMP 0.25/0.5/0.75) T-US from
  2026-07-01; E999 (no HR record) and E003 on T-XX (unknown) are quarantined.
* Job-family eligibility: E006 (hired 2025-01-01, no manager, no quota) works
  T-FINS from 2026-01-01 on PLAN_FAM (eligible_job_families [Sales], no ramp)
  from 2026-01-01; job_history: Sales Development from the hire, Sales from
  2026-04-16. The engine pays PLAN_FAM only from 2026-04-16, so planning counts
  E006's T-FINS days from then on (T-FINS has potential 0: no revenue, no
  history, so its target stays 0 and the other territories' do not move).
* Company target 2026: 2,000,000 USD, new hires on PLAN_RAMP.
* Open deals (pipeline): P1 U003 20000 USD close 2026-03-20 prob 50; P2 U003
  11000 USD close 2026-09-30 prob 10; P3 U002 10000 USD close 2026-03-25
  prob 40 (E002 is paid in EUR: 9234 EUR at 0.9234).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml

from assets.ingest.plans import PLAN_RAMP_SCHEMA, PLAN_SCHEMA, _PlanLoader
from assets.planning.territories import validate_territory_document, write_territories
from tests.support.raw import _frame, _ts, _worker, build_small_company, write_batch

B4 = "2026-03-05"
CURRENT = "current"

PLANNING_YAML = """\
default_territory: {territory_id: UNASSIGNED, name: Unassigned accounts}
size_bands:
  - {size_band: enterprise, match: any, min_annual_revenue: 1000000000, min_employees: 5000}
  - {size_band: mid, min_annual_revenue: 100000000}
  - {size_band: small, max_annual_revenue: 100000000}
territories:
  - {territory_id: T-ENT, name: Enterprise}
  - {territory_id: T-EU, name: Europe}
  - {territory_id: T-FINS, name: Financial services}
  - {territory_id: T-US, name: United States}
rules:
  - {rule_id: us, priority: 30, territory_id: T-US, billing_countries: [United States]}
  - {rule_id: ent, priority: 20, territory_id: T-ENT, billing_countries: [United States], size_bands: [enterprise]}
  - {rule_id: fins, priority: 10, territory_id: T-FINS, billing_countries: [United States], industries: [Financial Services]}
  - {rule_id: eu, priority: 40, territory_id: T-EU, billing_countries: [Germany]}
potential: {size_weight: 0.4, history_weight: 0.6, history_months: 12}
"""

TARGET_2026 = Decimal("2000000")


def _account(id_, country, industry, revenue, employees) -> dict:
    return {
        "Id": id_, "Name": f"Account {id_}", "Industry": industry, "BillingCountry": country,
        "AnnualRevenue": None if revenue is None else Decimal(revenue), "NumberOfEmployees": employees,
        "OwnerId": "U001", "LastModifiedDate": _ts("2026-03-05T06:00:00"),
    }


def _deal(id_, account, owner, amount, currency, created, close, won, closed=True, probability=None) -> dict:
    return {
        "Id": id_, "AccountId": account, "OwnerId": owner, "Name": f"Deal {id_}",
        "StageName": "Closed Won" if won else ("Closed Lost" if closed else "Proposal"),
        "Amount": Decimal(amount), "CurrencyIsoCode": currency, "CloseDate": date.fromisoformat(close),
        "IsClosed": closed, "IsWon": won, "Type": "New Business",
        "Probability": Decimal(probability if probability is not None else (100 if won else 0)),
        "CreatedDate": _ts(f"{created}T09:00:00"), "LastModifiedDate": _ts("2026-03-05T06:00:00"), "IsDeleted": False,
    }


def _line(id_, deal, product, quantity, unit) -> dict:
    return {"Id": id_, "OpportunityId": deal, "Product2Id": product, "Quantity": Decimal(quantity),
            "UnitPrice": Decimal(unit), "TotalPrice": Decimal(quantity) * Decimal(unit), "LastModifiedDate": None}


def build_planning_company(raw_dir: Path) -> None:
    raw_dir = Path(raw_dir)
    build_small_company(raw_dir)

    config, problems = validate_territory_document(yaml.load(PLANNING_YAML, Loader=_PlanLoader))  # noqa: S506
    assert not problems, problems
    write_territories(config, raw_dir)

    write_batch(raw_dir, "hr", "workers", B4, [
        _worker("E005", "Erin Eng", "USD", "2026-07-01"),
        _worker("E006", "Fay Fox", "USD", "2025-01-01", manager=None),
    ])
    write_batch(raw_dir, "hr", "job_history", B4, [
        {"employee_id": "E006", "effective_date": date(2025, 1, 1), "job_family": "Sales Development",
         "job_title": "Sales Development Representative", "manager_employee_id": None},
        {"employee_id": "E006", "effective_date": date(2026, 4, 16), "job_family": "Sales",
         "job_title": "Account Executive", "manager_employee_id": None},
    ])
    write_batch(raw_dir, "crm", "dated_conversion_rate", B4, [
        {"IsoCode": "EUR", "StartDate": date(2025, 1, 1), "NextStartDate": date(2026, 1, 1), "ConversionRate": Decimal("0.8")},
    ])
    write_batch(raw_dir, "crm", "account", B4, [
        _account("A1", "United States", "Technology", "2000000000", 8000),
        _account("A2", "United States", "Healthcare", "500000000", 2000),
        _account("A3", "Germany", "Retail", "50000000", 100),
        _account("A4", "Japan", "Technology", "3000000000", 9000),
        _account("A5", "United States", "Financial Services", None, 6000),
    ])
    write_batch(raw_dir, "crm", "product", B4, [
        {"Id": "P1", "Name": "Platform", "ProductCode": "PLT", "Family": "Software", "IsActive": True},
        {"Id": "P2", "Name": "Onboarding", "ProductCode": "ONB", "Family": "Services", "IsActive": True},
    ])
    write_batch(raw_dir, "crm", "opportunity", B4, [
        _deal("H1", "A1", "U001", "300000", "USD", "2025-04-11", "2025-06-10", True),
        _deal("H6", "A1", "U001", "100000", "USD", "2025-05-01", "2025-06-20", False),
        _deal("H7", "A1", "U001", "100000", "EUR", "2025-06-05", "2025-06-25", True),
        _deal("H2", "A2", "U003", "100000", "USD", "2025-07-01", "2025-09-01", True),
        _deal("H3", "A3", "U001", "100000", "USD", "2025-10-01", "2025-11-15", True),
        _deal("H4", "A4", "U001", "100000", "USD", "2025-01-10", "2025-03-01", True),
        _deal("P1", "A2", "U003", "20000", "USD", "2026-02-01", "2026-03-20", False, closed=False, probability=50),
        _deal("P2", "A2", "U003", "11000", "USD", "2026-02-01", "2026-09-30", False, closed=False, probability=10),
        _deal("P3", "A3", "U002", "10000", "USD", "2026-02-01", "2026-03-25", False, closed=False, probability=40),
    ])
    write_batch(raw_dir, "crm", "opportunity_line_item", B4, [
        _line("L11", "H1", "P1", "10", "27000"),
        _line("L12", "H1", "P2", "30", "1000"),
        _line("L31", "H3", "P1", "3", "30000"),
        _line("L32", "H3", "P2", "10", "1000"),
        _line("L71", "H7", "P1", "4", "25000"),
    ])

    # ---- configuration (batch `current`, next to the small company's)
    write_batch(raw_dir, "config", "territory_assignments", CURRENT, [
        {"territory_id": "T-ENT", "employee_id": "E001", "start_date": date(2025, 1, 1), "end_date": date(2026, 6, 30)},
        {"territory_id": "T-US", "employee_id": "E001", "start_date": date(2026, 7, 1), "end_date": None},
        {"territory_id": "T-EU", "employee_id": "E002", "start_date": date(2025, 6, 1), "end_date": None},
        {"territory_id": "T-US", "employee_id": "E004", "start_date": date(2026, 1, 1), "end_date": None},
        {"territory_id": "T-ENT", "employee_id": "E004", "start_date": date(2026, 10, 1), "end_date": date(2026, 12, 31)},
        {"territory_id": "T-US", "employee_id": "E005", "start_date": date(2026, 7, 1), "end_date": None},
        {"territory_id": "T-FINS", "employee_id": "E006", "start_date": date(2026, 1, 1), "end_date": None},
        {"territory_id": "T-US", "employee_id": "E999", "start_date": date(2026, 1, 1), "end_date": None},
        {"territory_id": "T-XX", "employee_id": "E003", "start_date": date(2026, 1, 1), "end_date": None},
    ])
    write_batch(raw_dir, "config", "company_targets", CURRENT, [
        {"plan_year": 2026, "target_amount": TARGET_2026, "currency": "USD", "new_hire_plan_id": "PLAN_RAMP"},
    ])
    write_batch(raw_dir, "config", "plan_assignments", B4, [
        {"employee_id": "E005", "plan_id": "PLAN_RAMP", "start_date": date(2026, 7, 1), "end_date": None},
        {"employee_id": "E006", "plan_id": "PLAN_FAM", "start_date": date(2026, 1, 1), "end_date": None},
    ])
    _frame([
        {"plan_id": "PLAN_RAMP", "plan_name": "Ramping AE 2026", "effective_start": date(2026, 1, 1),
         "effective_end": date(2026, 12, 31), "source_file": "plans/plan_ramp.yaml"},
        {"plan_id": "PLAN_FAM", "plan_name": "Account Executive by job family", "effective_start": date(2026, 1, 1),
         "effective_end": date(2026, 12, 31), "source_file": "plans/plan_fam.yaml", "eligible_job_families": ["Sales"]},
    ], PLAN_SCHEMA).write_parquet(raw_dir / "config" / "plan" / "plans_ramp.parquet")
    _frame([
        {"plan_id": "PLAN_RAMP", "employment_month": k, "quota_factor": Decimal(f)}
        for k, f in ((1, "0.25"), (2, "0.5"), (3, "0.75"))
    ], PLAN_RAMP_SCHEMA).write_parquet(raw_dir / "config" / "plan_ramp" / "plan_ramps.parquet")


def planning_warehouse(tmp_path_factory) -> Path:
    """``dbt build`` of the planning company with every data test, once per test session
    whichever worker asks first (planning and insight tests share it, read-only)."""
    from tests.support.warehouse import shared_warehouse

    return shared_warehouse(tmp_path_factory, build_planning_company)
