"""The demo company's sales planning configuration (docs/planning.md).

* ``territories.yaml``: size bands (enterprise by revenue or head count,
  mid-market, small business), six territories and the rules mapping accounts
  to them by billing country, industry and size band; accounts in countries no
  rule covers (Australia, Japan) go to the default territory ``UNASSIGNED``.
* ``territory_assignments.csv``: every account executive (also one later made
  manager, until the day before the promotion) works one territory of their
  HR country's region from their hire (or 2025-01-01) to their last day; the
  territory is picked from the employee number, so the file is deterministic.
* ``company_targets.csv``: a company bookings target (USD) for 2026 and 2027,
  1.1 times the previous plan year's won bookings of the generated deals,
  rounded to a million; planned new hires ramp like the AE_RAMP-2026 plan.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from demo.clock import PLAN_YEARS
from demo.market import COUNTRIES, CURRENCIES, FX_LEVEL
from demo.people import AE, NEW_HIRE_FAMILY, Org, plan_id

TARGET_YEARS = (2026, 2027)
TARGET_GROWTH = Decimal("1.1")
TARGET_STEP = Decimal(1_000_000)
PLANNING_START = date(PLAN_YEARS[0], 1, 1)

# HR region -> the territories its account executives work, picked by employee number.
REGION_TERRITORIES = {
    "AMER": ("AMER-FINS", "AMER-ENT", "AMER-ENT", "AMER-COM", "AMER-COM", "AMER-COM"),
    "EMEA": ("EMEA-ENT", "EMEA-COM", "EMEA-COM", "EMEA-DACH"),
}

TERRITORIES_YAML = """\
# Sales territories of the demo company (docs/planning.md). The rule with the
# lowest priority among those an account matches wins; accounts no rule
# matches (Australia, Japan) are in the default territory.
default_territory:
  territory_id: UNASSIGNED
  name: Unassigned accounts
size_bands:
  - size_band: enterprise
    match: any
    min_annual_revenue: 1000000000
    min_employees: 5000
  - size_band: mid_market
    match: any
    min_annual_revenue: 100000000
    min_employees: 500
  - size_band: small_business
    max_annual_revenue: 100000000
territories:
  - territory_id: AMER-FINS
    name: Americas financial services
  - territory_id: AMER-ENT
    name: Americas enterprise
  - territory_id: AMER-COM
    name: Americas commercial
  - territory_id: EMEA-DACH
    name: DACH
  - territory_id: EMEA-ENT
    name: EMEA enterprise
  - territory_id: EMEA-COM
    name: EMEA commercial
rules:
  - rule_id: amer-fins
    priority: 10
    territory_id: AMER-FINS
    billing_countries: [United States, Canada, Mexico]
    industries: [Financial Services]
    size_bands: [enterprise, mid_market]
  - rule_id: amer-enterprise
    priority: 20
    territory_id: AMER-ENT
    billing_countries: [United States, Canada, Mexico]
    size_bands: [enterprise]
  - rule_id: amer-commercial
    priority: 30
    territory_id: AMER-COM
    billing_countries: [United States, Canada, Mexico]
  - rule_id: dach
    priority: 40
    territory_id: EMEA-DACH
    billing_countries: [Germany, Switzerland]
  - rule_id: emea-enterprise
    priority: 50
    territory_id: EMEA-ENT
    billing_countries: [United Kingdom, France, Netherlands, Ireland, Spain, Italy, Sweden]
    size_bands: [enterprise]
  - rule_id: emea-commercial
    priority: 60
    territory_id: EMEA-COM
    billing_countries: [United Kingdom, France, Netherlands, Ireland, Spain, Italy, Sweden]
potential:
  size_weight: 0.4
  history_weight: 0.6
  history_months: 12
"""


def territories_yaml() -> str:
    return TERRITORIES_YAML


def _was_account_executive(p) -> bool:
    return p.role == AE or p.promoted_on is not None


def territory_assignment_rows(org: Org) -> list[dict]:
    """One territory assignment per account executive, from hire (or 2025-01-01) to the last day as an AE."""
    rows = []
    for p in org.people:
        if not _was_account_executive(p):
            continue
        start = max(p.hire, PLANNING_START)
        end = p.termination
        if p.promoted_on is not None:
            end = p.promoted_on - timedelta(days=1) if end is None else min(end, p.promoted_on - timedelta(days=1))
        if end is not None and end < start:
            continue
        region = COUNTRIES[p.country][2]
        choices = REGION_TERRITORIES[region]
        rows.append(
            {
                "territory_id": choices[p.index % len(choices)],
                "employee_id": p.employee_id,
                "start_date": start.isoformat(),
                "end_date": "" if end is None else end.isoformat(),
            }
        )
    return rows


def _round_to_step(value: Decimal) -> Decimal:
    return (value / TARGET_STEP).quantize(Decimal(1), rounding=ROUND_HALF_UP) * TARGET_STEP


def company_target_rows(bookings_cents: np.ndarray) -> list[dict]:
    """USD targets for TARGET_YEARS from ``bookings_cents`` [seller, plan year index, currency index]."""
    by_year = {}
    for y, year in enumerate(PLAN_YEARS):
        usd = sum(
            Decimal(int(bookings_cents[:, y, c].sum())) / 100 / FX_LEVEL[currency]
            for c, currency in enumerate(CURRENCIES)
        )
        by_year[year] = usd
    rows = []
    for year in TARGET_YEARS:
        previous = by_year.get(year - 1)
        if previous is None:
            continue
        rows.append(
            {
                "plan_year": str(year),
                "target_amount": str(max(_round_to_step(previous * TARGET_GROWTH), TARGET_STEP)),
                "currency": "USD",
                "new_hire_plan_id": plan_id(NEW_HIRE_FAMILY, PLAN_YEARS[-1]),
            }
        )
    return rows
