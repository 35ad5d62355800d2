"""A small raw layer for the finance journals (docs/journals.md), every number hand-checkable.

Every payee is on a flat 10% plan of its own currency from 2026-01-01 (basis
period, own credit, earning code COMMISSION), owns its deals (no splits) and
sells in its own currency, so commission = deal Amount x 0.1 in the close month.

| payee | currency | cost center | deals (Type, close date, Amount -> commission) |
|---|---|---|---|
| J1 | USD | CC-EAST, CC-SOUTH from 2026-02-05 | N1 New Business 2026-01-10 10,000.00 -> 1,000.00; R1 Renewal 2026-01-12 5,000.00 -> 500.00; N2 New Business 2026-02-10 3,333.33 -> 333.333 |
| J2 | EUR | CC-WEST | N3 New Business 2026-01-10 1,234.56 -> 123.456 |
| J3 | JPY | CC-EAST | N4 New Business 2026-01-10 100,005 -> 10,000.5 |
| J4 | USD | CC-WEST | N5 New Business 2026-01-10 10.00 -> 1.00 |
| J5 | USD | CC-WEST | N6 New Business 2026-01-10 3,000.00 -> 300.00, on a recoverable draw of 1,000 for 3 months |
| J6 | USD | CC-NORTH | T1 New Business 3,000, T2 Renewal 2,000, T3 New Business 2,000, all 2026-01-20, on marginal tiers |

J1 moves from CC-EAST to CC-SOUTH on 2026-02-05 (job_history: CC-EAST from 2025-01-01,
a row without cost center on 2026-01-20 that keeps CC-EAST, CC-SOUTH from 2026-02-05;
the current workers record says CC-SOUTH): January is under CC-EAST, February on
(its last day is past the move) under CC-SOUTH.

J6's plan (P_TIER): TI 12,000 / annual quota 120,000 -> BCR 0.1, monthly quota 10,000;
bands [0, 0.5) x0.5, [0.5, 1.0) x1.0, [1.0, open) x1.5. January: C = 7,000 ->
0.1 x (0.5 x 5,000 + 1.0 x 2,000) = 450.00 for the three deals together.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from assets.ingest.plans import PLAN_COMPONENT_SCHEMA, PLAN_COMPONENT_TIER_SCHEMA, PLAN_SCHEMA
from tests.support.raw import B1, _frame, _opportunity, _worker, write_batch, write_empty_layout

D = Decimal

# payee -> (currency, cost center, plan, [(deal, amount, close date, Type)])
PAYEES: dict[str, tuple[str, str, str, list[tuple[str, str, str, str]]]] = {
    "J1": ("USD", "CC-EAST", "P_USD", [
        ("N1", "10000.00", "2026-01-10", "New Business"),
        ("R1", "5000.00", "2026-01-12", "Renewal"),
        ("N2", "3333.33", "2026-02-10", "New Business"),
    ]),
    "J2": ("EUR", "CC-WEST", "P_EUR", [("N3", "1234.56", "2026-01-10", "New Business")]),
    "J3": ("JPY", "CC-EAST", "P_JPY", [("N4", "100005", "2026-01-10", "New Business")]),
    "J4": ("USD", "CC-WEST", "P_USD", [("N5", "10.00", "2026-01-10", "New Business")]),
    "J5": ("USD", "CC-WEST", "P_DRAW", [("N6", "3000.00", "2026-01-10", "New Business")]),
    "J6": ("USD", "CC-NORTH", "P_TIER", [
        ("T1", "3000.00", "2026-01-20", "New Business"),
        ("T2", "2000.00", "2026-01-20", "Renewal"),
        ("T3", "2000.00", "2026-01-20", "New Business"),
    ]),
}
# J1's cost center from 2026-02-05 (and in the current workers record)
MOVED_TO = "CC-SOUTH"
TIERS = [("0", "0.5", "0.5"), ("0.5", "1.0", "1.0"), ("1.0", None, "1.5")]
COUNTRY = {"USD": "US", "EUR": "DE", "JPY": "JP"}


def build_journal_company(raw_dir: Path) -> None:
    raw_dir = Path(raw_dir)
    write_empty_layout(raw_dir)
    write_batch(raw_dir, "hr", "workers", B1, [
        {**_worker(e, f"Payee {e}", "USD", "2025-01-01", manager=None, ti="12000"),
         "currency": currency, "country": COUNTRY[currency],
         "cost_center": MOVED_TO if e == "J1" else cost_center}
        for e, (currency, cost_center, _, _) in sorted(PAYEES.items())
    ])
    write_batch(raw_dir, "hr", "job_history", B1, [
        {"employee_id": "J1", "effective_date": date(2025, 1, 1), "job_family": "Sales",
         "job_title": "Account Executive", "manager_employee_id": None, "cost_center": "CC-EAST",
         "annual_target_incentive": D("12000")},
        # a sparse row (only the manager changed): the cost center of the row before carries on
        {"employee_id": "J1", "effective_date": date(2026, 1, 20), "job_family": None,
         "job_title": "Account Executive", "manager_employee_id": None, "cost_center": None,
         "annual_target_incentive": None},
        {"employee_id": "J1", "effective_date": date(2026, 2, 5), "job_family": "Sales",
         "job_title": "Account Executive", "manager_employee_id": None, "cost_center": MOVED_TO,
         "annual_target_incentive": D("12000")},
    ])
    write_batch(raw_dir, "crm", "user", B1, [
        {"Id": "U" + e, "Name": f"Payee {e}", "Email": f"{e.lower()}@example.com", "EmployeeNumber": e,
         "IsActive": True}
        for e in sorted(PAYEES)
    ])
    write_batch(raw_dir, "crm", "opportunity", B1, [
        _opportunity(deal, "U" + e, amount, currency, close, True, close + "T10:00:00", type_=type_)
        for e, (currency, _, _, deals) in sorted(PAYEES.items()) for deal, amount, close, type_ in deals
    ])
    write_batch(raw_dir, "config", "quotas", "current", [
        {"employee_id": e, "plan_year": 2026, "annual_quota": D("120000" if e == "J6" else "1200000"),
         "currency": currency}
        for e, (currency, _, _, _) in sorted(PAYEES.items())
    ])
    write_batch(raw_dir, "config", "plan_assignments", "current", [
        {"employee_id": e, "plan_id": plan, "start_date": date(2026, 1, 1), "end_date": None}
        for e, (_, _, plan, _) in sorted(PAYEES.items())
    ])
    plans = {"P_USD": "USD", "P_EUR": "EUR", "P_JPY": "JPY", "P_DRAW": "USD", "P_TIER": "USD"}
    _frame([
        {"plan_id": p, "plan_name": p, "effective_start": date(2026, 1, 1), "effective_end": date(2026, 12, 31),
         "source_file": f"plans/{p.lower()}.yaml", "currency": currency,
         "draw_type": "recoverable" if p == "P_DRAW" else None,
         "draw_monthly_amount": D("1000") if p == "P_DRAW" else None,
         "draw_months": 3 if p == "P_DRAW" else None}
        for p, currency in sorted(plans.items())
    ], PLAN_SCHEMA).write_parquet(raw_dir / "config" / "plan" / "plans.parquet")
    _frame([
        {"plan_id": p, "component_id": "C_FLAT", "component_name": "Flat 10%", "earning_code": "COMMISSION",
         "measure": "own_credit", "basis": "period", "rule_type": "flat_rate", "rate": D("0.1")}
        for p in sorted(plans) if p != "P_TIER"
    ] + [
        {"plan_id": "P_TIER", "component_id": "C_TIER", "component_name": "Marginal tiers", "earning_code": "COMMISSION",
         "measure": "own_credit", "basis": "period", "rule_type": "marginal_tiers"}
    ], PLAN_COMPONENT_SCHEMA).write_parquet(raw_dir / "config" / "plan_component" / "plan_components.parquet")
    _frame([
        {"plan_id": "P_TIER", "component_id": "C_TIER", "tier_index": i, "attainment_from": D(lo),
         "attainment_to": None if hi is None else D(hi), "multiplier": D(m)}
        for i, (lo, hi, m) in enumerate(TIERS, start=1)
    ], PLAN_COMPONENT_TIER_SCHEMA).write_parquet(
        raw_dir / "config" / "plan_component_tier" / "plan_component_tiers.parquet")
