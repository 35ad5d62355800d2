"""A small, hand-checkable raw layer for the dbt tests, written the way ingest writes it.

Files follow :mod:`assets.ingest.raw_layout`: typed Parquet per dataset and batch
(``<raw>/<system>/<dataset>/batch=<batch>/<file>.parquet``) with load metadata,
a 0-row ``empty.parquet`` in every dataset folder, the ingest quarantine under
``<raw>/quarantine/`` and the flattened plan YAML under ``config/plan`` and
``config/plan_component``.

The company (every number below is checked in ``tests/compensation/test_dbt_build.py``):

* payees E001 Alice (USD), E002 Bob (EUR), E003 Carol (USD), E004 Dan (GBP);
  CRM users U001-U004 map to them; U009 points at an employee HR does not have.
* FX (units per 1 USD): EUR 0.92 in January 2026, 0.9234 from February;
  GBP 0.79; USD 1; no JPY.
* deals: O1, O8 (out-of-order versions: the older batch's newer version wins),
  O12 (splits re-versioned to 50/50) credit in January; O2 (60/40 split
  across EUR and USD payees), O6 (re-versioned to won), O10, O11 (GBP deal,
  EUR payee) in February; O3 (splits sum to 90), O4 (owner without HR record),
  O5 (JPY, no rate), O13 (won, no amount) are quarantined; O7 is deleted,
  O9 is open.
* quotas 2026: E001 120000 USD, E002 100000 EUR, E003 90000 USD; E004's quota
  is in USD but Dan is paid in GBP (quarantined); E999 has no HR record.
* plans: E001 on PLAN_OLD in 2025 then PLAN_AE, E002 on PLAN_AE, E004 on an
  unknown plan, E003 on none. PLAN_AE pays 5% flat on own credit.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import polars as pl

from assets.ingest.contract import CONTRACTS, contract
from assets.ingest.plans import (
    PLAN_COMPONENT_FILTER_SCHEMA,
    PLAN_COMPONENT_SCHEMA,
    PLAN_COMPONENT_TIER_SCHEMA,
    PLAN_RAMP_SCHEMA,
    PLAN_SCHEMA,
)
from assets.ingest.raw_layout import QUARANTINE_SCHEMA, raw_schema
from assets.planning.territories import write_empty_territory_tables

LOADED_AT = datetime(2026, 3, 2, 6, 0, tzinfo=timezone.utc)
EMPTY_FILE = "empty.parquet"

B1, B2 = "2026-02-01", "2026-03-01"


def _d(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def _frame(rows: list[dict], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(
        [[row.get(column) for column in schema] for row in rows], schema=schema, orient="row"
    )


def write_empty_layout(raw_dir: Path) -> None:
    """The 0-row typed files ingest always writes, so every glob matches something."""
    for c in CONTRACTS:
        folder = raw_dir / c.system / c.name
        folder.mkdir(parents=True, exist_ok=True)
        _frame([], raw_schema(c)).write_parquet(folder / EMPTY_FILE)
    for name, schema in (
        ("plan", PLAN_SCHEMA),
        ("plan_component", PLAN_COMPONENT_SCHEMA),
        ("plan_component_tier", PLAN_COMPONENT_TIER_SCHEMA),
        ("plan_component_filter", PLAN_COMPONENT_FILTER_SCHEMA),
        ("plan_ramp", PLAN_RAMP_SCHEMA),
    ):
        folder = raw_dir / "config" / name
        folder.mkdir(parents=True, exist_ok=True)
        _frame([], schema).write_parquet(folder / EMPTY_FILE)
    write_empty_territory_tables(raw_dir)
    (raw_dir / "quarantine").mkdir(parents=True, exist_ok=True)
    _frame([], QUARANTINE_SCHEMA).write_parquet(raw_dir / "quarantine" / EMPTY_FILE)


def write_batch(
    raw_dir: Path, system: str, name: str, batch: str, rows: list[dict], landing_name: str | None = None
) -> Path:
    """One landing file's accepted rows, with load metadata, as ingest writes them (default file ``<Stem>.csv``)."""
    c = contract(system, name)
    landing_name = landing_name or f"{c.file_stem}.csv"
    source_file = f"{system}/{batch}/{landing_name}" if system != "config" else landing_name
    batch_date = None if batch == "current" else date.fromisoformat(batch)
    full = [
        {
            **row,
            "_batch": batch,
            "_batch_date": batch_date,
            "_source_file": source_file,
            "_source_row": number,
            "_loaded_at": LOADED_AT,
        }
        for number, row in enumerate(rows, start=1)
    ]
    target = raw_dir / system / name / f"batch={batch}" / f"{landing_name}.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    _frame(full, raw_schema(c)).write_parquet(target)
    return target


def _opportunity(
    id_, owner, amount, currency, close, won, modified, deleted=False, stage=None, type_="New Business"
) -> dict:
    return {
        "Id": id_,
        "AccountId": "A1",
        "OwnerId": owner,
        "Name": f"Deal {id_}",
        "StageName": stage or ("Closed Won" if won else "Negotiation"),
        "Amount": _d(amount),
        "CurrencyIsoCode": currency,
        "CloseDate": date.fromisoformat(close),
        "IsClosed": won,
        "IsWon": won,
        "Type": type_,
        "Probability": Decimal(100 if won else 60),
        "CreatedDate": _ts("2026-01-02T09:00:00"),
        "LastModifiedDate": _ts(modified),
        "IsDeleted": deleted,
    }


def _split(id_, opportunity, owner, pct, modified) -> dict:
    return {
        "Id": id_,
        "OpportunityId": opportunity,
        "SplitOwnerId": owner,
        "SplitPercentage": _d(pct),
        "LastModifiedDate": _ts(modified),
    }


def _worker(employee_id, name, currency, hire, title="Account Executive", manager="E003", ti="20000") -> dict:
    return {
        "employee_id": employee_id,
        "full_name": name,
        "email": f"{employee_id.lower()}@example.com",
        "hire_date": date.fromisoformat(hire),
        "termination_date": None,
        "job_family": "Sales",
        "job_title": title,
        "manager_employee_id": manager,
        "cost_center": "CC-100",
        "country": {"USD": "US", "EUR": "DE", "GBP": "GB"}[currency],
        "currency": currency,
        "annual_base_salary": Decimal("80000"),
        "annual_target_incentive": _d(ti),
    }


def build_small_company(raw_dir: Path) -> None:
    raw_dir = Path(raw_dir)
    write_empty_layout(raw_dir)

    # ---- HR: E001 is promoted in the second batch (the newest batch wins).
    write_batch(raw_dir, "hr", "workers", B1, [
        _worker("E001", "Alice Adams", "USD", "2024-01-15"),
        _worker("E002", "Bob Berg", "EUR", "2025-06-01", ti="15000"),
        _worker("E003", "Carol Chen", "USD", "2020-03-01", title="Sales Manager", manager=None, ti="30000"),
        _worker("E004", "Dan Dorsey", "GBP", "2025-09-01", ti="10000"),
    ])
    write_batch(raw_dir, "hr", "workers", B2, [
        _worker("E001", "Alice Adams", "USD", "2024-01-15", title="Senior Account Executive"),
    ])

    # ---- CRM users
    write_batch(raw_dir, "crm", "user", B1, [
        {"Id": "U001", "Name": "Alice Adams", "Email": "e001@example.com", "EmployeeNumber": "E001", "IsActive": True},
        {"Id": "U002", "Name": "Bob Berg", "Email": "e002@example.com", "EmployeeNumber": "E002", "IsActive": True},
        {"Id": "U003", "Name": "Carol Chen", "Email": "e003@example.com", "EmployeeNumber": "E003", "IsActive": True},
        {"Id": "U004", "Name": "Dan Dorsey", "Email": "e004@example.com", "EmployeeNumber": "E004", "IsActive": True},
        {"Id": "U009", "Name": "Ghost Rider", "Email": "ghost@example.com", "EmployeeNumber": "E999", "IsActive": True},
        {"Id": "U010", "Name": "Integration User", "Email": None, "EmployeeNumber": None, "IsActive": True},
    ])

    # ---- FX: units per 1 USD (the corporate currency)
    write_batch(raw_dir, "crm", "dated_conversion_rate", B1, [
        {"IsoCode": "USD", "StartDate": date(2026, 1, 1), "NextStartDate": date(2027, 1, 1), "ConversionRate": Decimal("1")},
        {"IsoCode": "EUR", "StartDate": date(2026, 1, 1), "NextStartDate": date(2026, 2, 1), "ConversionRate": Decimal("0.92")},
        {"IsoCode": "EUR", "StartDate": date(2026, 2, 1), "NextStartDate": date(2027, 1, 1), "ConversionRate": Decimal("0.9234")},
        {"IsoCode": "GBP", "StartDate": date(2026, 1, 1), "NextStartDate": date(2027, 1, 1), "ConversionRate": Decimal("0.79")},
    ])

    # ---- Opportunities, two incremental batches
    write_batch(raw_dir, "crm", "opportunity", B1, [
        _opportunity("O1", "U001", "10000.00", "USD", "2026-01-20", True, "2026-01-20T10:00:00"),
        _opportunity("O6", "U004", "5000.00", "USD", "2026-02-15", False, "2026-01-25T10:00:00"),
        _opportunity("O7", "U001", "7000.00", "USD", "2026-01-25", True, "2026-01-25T10:00:00"),
        _opportunity("O8", "U001", "3000.00", "USD", "2026-01-28", True, "2026-01-30T12:00:00"),
        _opportunity("O9", "U001", "50000.00", "USD", "2026-04-30", False, "2026-01-30T12:00:00"),
        _opportunity("O12", "U001", "1000.00", "USD", "2026-01-31", True, "2026-01-31T12:00:00"),
    ])
    write_batch(raw_dir, "crm", "opportunity", B2, [
        _opportunity("O2", "U002", "1234567.89", "EUR", "2026-02-10", True, "2026-02-10T10:00:00"),
        _opportunity("O3", "U001", "8000.00", "USD", "2026-02-12", True, "2026-02-12T10:00:00"),
        _opportunity("O4", "U009", "4000.00", "USD", "2026-02-14", True, "2026-02-14T10:00:00"),
        _opportunity("O5", "U001", "1500000", "JPY", "2026-02-16", True, "2026-02-16T10:00:00"),
        _opportunity("O6", "U004", "6000.00", "USD", "2026-02-20", True, "2026-02-20T10:00:00"),
        _opportunity("O7", "U001", "7000.00", "USD", "2026-01-25", True, "2026-02-05T10:00:00", deleted=True),
        _opportunity("O8", "U001", "9999.00", "USD", "2026-01-28", True, "2026-01-10T10:00:00"),
        _opportunity("O10", "U003", "12000.00", "USD", "2026-02-25", True, "2026-02-25T10:00:00"),
        _opportunity("O11", "U002", "2500.00", "GBP", "2026-02-27", True, "2026-02-27T10:00:00", type_="Upsell"),
        _opportunity("O13", "U001", None, "USD", "2026-02-28", True, "2026-02-28T10:00:00"),
    ])
    write_batch(raw_dir, "crm", "opportunity_split", B1, [
        _split("S121", "O12", "U001", "100", "2026-01-31T12:00:00"),
    ])
    write_batch(raw_dir, "crm", "opportunity_split", B2, [
        _split("S21", "O2", "U002", "60", "2026-02-10T10:00:00"),
        _split("S22", "O2", "U001", "40", "2026-02-10T10:00:00"),
        _split("S31", "O3", "U001", "50", "2026-02-12T10:00:00"),
        _split("S32", "O3", "U003", "40", "2026-02-12T10:00:00"),
        _split("S121", "O12", "U001", "50", "2026-02-02T12:00:00"),
        _split("S122", "O12", "U003", "50", "2026-02-02T12:00:00"),
    ])

    # ---- Configuration (batch `current`)
    write_batch(raw_dir, "config", "quotas", "current", [
        {"employee_id": "E001", "plan_year": 2026, "annual_quota": Decimal("120000"), "currency": "USD"},
        {"employee_id": "E002", "plan_year": 2026, "annual_quota": Decimal("100000"), "currency": "EUR"},
        {"employee_id": "E003", "plan_year": 2026, "annual_quota": Decimal("90000"), "currency": "USD"},
        {"employee_id": "E004", "plan_year": 2026, "annual_quota": Decimal("50000"), "currency": "USD"},
        {"employee_id": "E999", "plan_year": 2026, "annual_quota": Decimal("10000"), "currency": "USD"},
    ])
    write_batch(raw_dir, "config", "plan_assignments", "current", [
        {"employee_id": "E001", "plan_id": "PLAN_OLD", "start_date": date(2025, 1, 1), "end_date": date(2025, 12, 31)},
        {"employee_id": "E001", "plan_id": "PLAN_AE", "start_date": date(2026, 1, 1), "end_date": None},
        {"employee_id": "E002", "plan_id": "PLAN_AE", "start_date": date(2026, 1, 1), "end_date": date(2026, 12, 31)},
        {"employee_id": "E004", "plan_id": "PLAN_XX", "start_date": date(2026, 1, 1), "end_date": None},
    ])
    plan_dir = raw_dir / "config" / "plan"
    _frame([
        {"plan_id": "PLAN_AE", "plan_name": "Account Executive 2026", "effective_start": date(2026, 1, 1),
         "effective_end": date(2026, 12, 31), "source_file": "plans/plan_ae.yaml"},
        {"plan_id": "PLAN_OLD", "plan_name": "Account Executive 2025", "effective_start": date(2025, 1, 1),
         "effective_end": date(2025, 12, 31), "source_file": "plans/plan_old.yaml"},
    ], PLAN_SCHEMA).write_parquet(plan_dir / "plans.parquet")
    _frame([
        {"plan_id": "PLAN_AE", "component_id": "C_COMM", "component_name": "Commission on bookings",
         "earning_code": "COMMISSION", "measure": "own_credit", "basis": "period", "rule_type": "flat_rate",
         "rate": Decimal("0.05")},
        {"plan_id": "PLAN_AE", "component_id": "C_ACCEL", "component_name": "Accelerator",
         "earning_code": "COMMISSION", "measure": "own_credit", "basis": "ytd", "rule_type": "tiered_marginal",
         "rate": None},
        {"plan_id": "PLAN_AE", "component_id": "C_BONUS", "component_name": "Quarterly quota bonus",
         "earning_code": "BONUS", "measure": "own_credit", "basis": "quarter", "rule_type": "quota_bonus",
         "rate": None},
        {"plan_id": "PLAN_OLD", "component_id": "C_COMM", "component_name": "Commission on bookings",
         "earning_code": "COMMISSION", "measure": "own_credit", "basis": "period", "rule_type": "flat_rate",
         "rate": Decimal("0.03")},
    ], PLAN_COMPONENT_SCHEMA).write_parquet(raw_dir / "config" / "plan_component" / "plan_components.parquet")

    # ---- One row the ingest stage refused
    target = raw_dir / "quarantine" / "crm" / "opportunity" / f"batch={B2}" / "Opportunity.csv.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    _frame([{
        "system": "crm", "dataset": "opportunity", "batch": B2, "source_file": f"crm/{B2}/Opportunity.csv",
        "source_row": 14, "rule": "unparseable_decimal", "column_name": "Amount", "value": "12,5x",
        "message": "Amount is not a decimal number", "record_json": '{"Id": "O99"}', "_loaded_at": LOADED_AT,
    }], QUARANTINE_SCHEMA).write_parquet(target)
