"""A small raw layer for the plan options (docs/plans.md): one payee per option value.

Every payee is in USD with TI 12,000 and (unless said otherwise) an annual
quota of 120,000, so BCR = 0.1 and the monthly quota is 10,000. Each payee is on
its own plan from 2026-01-01 and owns its deals. Deals are won in batch B1
(2026-02-01); the clawback payees' changes arrive in batch B2 (2026-03-01) with
OpportunityHistory rows dating them.

* quota bonus 2,000 at 100% quarter-to-date:
  E201 P_BONUS_END (pay_when basis_end, the default): 8,000 Jan, 15,000 Feb,
  8,000 Mar -> QTD Feb 23,000 / 20,000, Mar 31,000 / 30,000: paid in March;
  E202 P_BONUS_END, terminated 2026-02-15: 12,000 Jan, 6,000 Feb -> paid in Feb;
  E203 P_BONUS_REACHED (pay_when threshold_reached): 8,000 Jan, 15,000 Feb,
  1,000 Mar -> paid in Feb, reversed in Mar.
* ramp [0.25, 0.5, 0.75] with ramp_start next_month_if_hired_after_day 15
  (P_RAMP_CUT): E204 hired 2026-01-22, E205 hired 2026-03-15.
* rate tables on amount, basis quarter, 5% to 100,000, 7% to 250,000, 9% above:
  E206 P_AMT_MARG (marginal), E207 P_AMT_RETRO (retroactive, no quota at all);
  deals 60,000 Jan, 100,000 Feb, 140,000 Mar.
* clawback window 90 days, retroactive tiers [0, 0.5) x0.5, [0.5, 1.0) x1.0,
  [1.0, open) x1.5 on basis period: E208 P_CLAW_COMMISSION (clawback_policy
  commission_only), E209 P_CLAW_REVERSE (reverse_credit, the default); each has
  6,000 won Jan 10, 6,000 won Jan 12 and lost Feb 1, 10,000 won Feb 10 and
  reduced to 4,000 on Feb 20.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from assets.ingest.plans import (
    PLAN_COMPONENT_SCHEMA,
    PLAN_COMPONENT_TIER_SCHEMA,
    PLAN_RAMP_SCHEMA,
    PLAN_SCHEMA,
)
from tests.support.earnings import TIERS, _component
from tests.support.raw import B1, B2, _frame, _opportunity, _ts, _worker, write_batch, write_empty_layout

D = Decimal

PLAN_OF = {
    "E201": "P_BONUS_END", "E202": "P_BONUS_END", "E203": "P_BONUS_REACHED",
    "E204": "P_RAMP_CUT", "E205": "P_RAMP_CUT",
    "E206": "P_AMT_MARG", "E207": "P_AMT_RETRO",
    "E208": "P_CLAW_COMMISSION", "E209": "P_CLAW_REVERSE",
}
HIRE_DATES = {"E204": "2026-01-22", "E205": "2026-03-15"}
TERMINATIONS = {"E202": date(2026, 2, 15)}
NO_QUOTA = {"E207"}

# payee -> [(deal id, amount, close date)]
DEALS: dict[str, list[tuple[str, str, str]]] = {
    "E201": [("BE1", "8000", "2026-01-10"), ("BE2", "15000", "2026-02-10"), ("BE3", "8000", "2026-03-10")],
    "E202": [("BT1", "12000", "2026-01-10"), ("BT2", "6000", "2026-02-10")],
    "E203": [("BR1", "8000", "2026-01-10"), ("BR2", "15000", "2026-02-10"), ("BR3", "1000", "2026-03-10")],
    "E206": [("AM1", "60000", "2026-01-10"), ("AM2", "100000", "2026-02-10"), ("AM3", "140000", "2026-03-10")],
    "E207": [("AR1", "60000", "2026-01-10"), ("AR2", "100000", "2026-02-10"), ("AR3", "140000", "2026-03-10")],
    "E208": [("CC1", "6000", "2026-01-10"), ("CC2", "6000", "2026-01-12"), ("CC3", "10000", "2026-02-10")],
    "E209": [("CR1", "6000", "2026-01-10"), ("CR2", "6000", "2026-01-12"), ("CR3", "10000", "2026-02-10")],
}
# the second deal of each clawback payee is lost on Feb 1, the third reduced to 4,000 on Feb 20
LOST = {"CC2": "2026-02-01", "CR2": "2026-02-01"}
REDUCED = {"CC3": ("4000", "2026-02-20"), "CR3": ("4000", "2026-02-20")}

AMOUNT_BANDS = [("0", "100000", "0.05"), ("100000", "250000", "0.07"), ("250000", None, "0.09")]


def build_plan_options_company(raw_dir: Path) -> None:
    raw_dir = Path(raw_dir)
    write_empty_layout(raw_dir)
    payees = sorted(PLAN_OF)

    workers = []
    for e in payees:
        worker = _worker(e, f"Payee {e}", "USD", HIRE_DATES.get(e, "2025-01-01"), manager=None, ti="12000")
        worker["termination_date"] = TERMINATIONS.get(e)
        workers.append(worker)
    write_batch(raw_dir, "hr", "workers", B1, workers)
    write_batch(raw_dir, "crm", "user", B1, [
        {"Id": "U" + e, "Name": f"Payee {e}", "Email": f"{e.lower()}@example.com", "EmployeeNumber": e,
         "IsActive": True}
        for e in payees
    ])
    write_batch(raw_dir, "crm", "opportunity", B1, [
        _opportunity(deal, "U" + e, amount, "USD", close, True, close + "T10:00:00")
        for e, rows in DEALS.items() for deal, amount, close in rows
    ])
    owner_of = {deal: e for e, rows in DEALS.items() for deal, _, _ in rows}
    close_of = {deal: close for rows in DEALS.values() for deal, _, close in rows}
    write_batch(raw_dir, "crm", "opportunity", B2, [
        *(_opportunity(deal, "U" + owner_of[deal], "6000", "USD", close_of[deal], False, day + "T09:00:00",
                       stage="Closed Lost") for deal, day in LOST.items()),
        *(_opportunity(deal, "U" + owner_of[deal], amount, "USD", close_of[deal], True, day + "T09:00:00")
          for deal, (amount, day) in REDUCED.items()),
    ])
    write_batch(raw_dir, "crm", "opportunity_history", B2, [
        *({"Id": f"W{deal}", "OpportunityId": deal, "StageName": "Closed Won", "Amount": D("6000"),
           "CloseDate": date.fromisoformat(close_of[deal]), "CreatedDate": _ts(close_of[deal] + "T10:00:00")}
          for deal in LOST),
        *({"Id": f"H{deal}", "OpportunityId": deal, "StageName": "Closed Lost", "Amount": D("6000"),
           "CloseDate": date.fromisoformat(close_of[deal]), "CreatedDate": _ts(day + "T09:00:00")}
          for deal, day in LOST.items()),
        *({"Id": f"H{deal}", "OpportunityId": deal, "StageName": "Closed Won", "Amount": D(amount),
           "CloseDate": date.fromisoformat(close_of[deal]), "CreatedDate": _ts(day + "T09:00:00")}
          for deal, (amount, day) in REDUCED.items()),
    ])
    write_batch(raw_dir, "crm", "dated_conversion_rate", B1, [
        {"IsoCode": "USD", "StartDate": date(2025, 1, 1), "NextStartDate": date(2028, 1, 1), "ConversionRate": D("1")}
    ])
    write_batch(raw_dir, "config", "quotas", "current", [
        {"employee_id": e, "plan_year": 2026, "annual_quota": D("120000"), "currency": "USD"}
        for e in payees if e not in NO_QUOTA
    ])
    write_batch(raw_dir, "config", "plan_assignments", "current", [
        {"employee_id": e, "plan_id": PLAN_OF[e], "start_date": date.fromisoformat(HIRE_DATES.get(e, "2026-01-01")),
         "end_date": None}
        for e in payees
    ])

    plans = sorted(set(PLAN_OF.values()))
    _frame([
        {"plan_id": p, "plan_name": p, "effective_start": date(2026, 1, 1), "effective_end": date(2026, 12, 31),
         "source_file": f"plans/{p.lower()}.yaml", "currency": "USD",
         "clawback_window_days": 90 if p.startswith("P_CLAW") else None,
         "clawback_policy": "commission_only" if p == "P_CLAW_COMMISSION" else "reverse_credit",
         "ramp_start_after_day": 15 if p == "P_RAMP_CUT" else None}
        for p in plans
    ], PLAN_SCHEMA).write_parquet(raw_dir / "config" / "plan" / "plans.parquet")
    _frame([
        {"plan_id": "P_RAMP_CUT", "employment_month": k, "quota_factor": D(f)}
        for k, f in ((1, "0.25"), (2, "0.5"), (3, "0.75"))
    ], PLAN_RAMP_SCHEMA).write_parquet(raw_dir / "config" / "plan_ramp" / "plan_ramps.parquet")

    components = [
        _component("P_BONUS_END", "C_BONUS", "BONUS", "quarter", "quota_bonus", bonus_threshold="1.0",
                   bonus_amount="2000") | {"bonus_pay_when": "basis_end"},
        _component("P_BONUS_REACHED", "C_BONUS", "BONUS", "quarter", "quota_bonus", bonus_threshold="1.0",
                   bonus_amount="2000") | {"bonus_pay_when": "threshold_reached"},
        _component("P_RAMP_CUT", "C_FLAT", "COMMISSION", "period", "flat_rate", rate="0.1"),
        _component("P_AMT_MARG", "C_TIER", "COMMISSION", "quarter", "marginal_tiers") | {"tiers_on": "amount"},
        _component("P_AMT_RETRO", "C_TIER", "COMMISSION", "quarter", "retroactive_tiers") | {"tiers_on": "amount"},
        _component("P_CLAW_COMMISSION", "C_TIER", "COMMISSION", "period", "retroactive_tiers") | {"tiers_on": "attainment"},
        _component("P_CLAW_REVERSE", "C_TIER", "COMMISSION", "period", "retroactive_tiers"),
    ]
    _frame(components, PLAN_COMPONENT_SCHEMA).write_parquet(
        raw_dir / "config" / "plan_component" / "plan_components.parquet")
    _frame([
        *({"plan_id": p, "component_id": "C_TIER", "tier_index": i, "amount_from": D(lo),
           "amount_to": None if hi is None else D(hi), "rate": D(rate)}
          for p in ("P_AMT_MARG", "P_AMT_RETRO") for i, (lo, hi, rate) in enumerate(AMOUNT_BANDS, start=1)),
        *({"plan_id": p, "component_id": "C_TIER", "tier_index": i, "attainment_from": D(lo),
           "attainment_to": None if hi is None else D(hi), "multiplier": D(m)}
          for p in ("P_CLAW_COMMISSION", "P_CLAW_REVERSE") for i, (lo, hi, m) in enumerate(TIERS, start=1)),
    ], PLAN_COMPONENT_TIER_SCHEMA).write_parquet(
        raw_dir / "config" / "plan_component_tier" / "plan_component_tiers.parquet")
