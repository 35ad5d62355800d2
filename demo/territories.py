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
* hidden segment strengths (not in any file): some sellers win more often and
  sell bigger deals in one territory segment and worse in another
  (:func:`seller_segment_strengths`, read by demo/deals.py; tests read them with
  :func:`planted_segment_strengths`).
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


# ---------------------------------------------------------------- hidden segment strengths (territory fit)
#
# Reps are not equally good everywhere: a share of them win more often and sell
# bigger deals in one territory segment (a territory of ``territories.yaml``:
# billing country, industry, size band), and worse in another. The deal
# generator (demo/deals.py) multiplies a deal's win rate and seat count by the
# owner's strength in the segment of the deal's account. The strengths are not
# in the landing data; tests read them through :func:`planted_segment_strengths`
# to check that fct_territory_fit recovers them.

STREAM_STRENGTHS = 203
STRONG_SHARE = 0.6  # share of sellers with a planted strong (and, where they can, weak) segment
STRONG_WIN = 1.6  # win-rate multiplier in the strong segment
STRONG_VALUE = 1.3  # seat (deal value) multiplier in the strong segment
WEAK_WIN = 0.7  # win-rate multiplier in the weak segment
MAX_WIN_RATE = 0.9


def _territory_document() -> dict:
    import yaml

    return yaml.safe_load(TERRITORIES_YAML)


def segment_ids() -> tuple[str, ...]:
    """The demo's territory segments: the declared territories, then the default one (last)."""
    document = _territory_document()
    return tuple(t["territory_id"] for t in document["territories"]) + (document["default_territory"]["territory_id"],)


def account_segments(country: np.ndarray, industry: np.ndarray, revenue_cents: np.ndarray,
                     employees: np.ndarray) -> np.ndarray:
    """Index into :func:`segment_ids` of each account (country and industry as indices into
    ACCOUNT_COUNTRIES and INDUSTRIES): the demo's size bands and rules applied as the dbt model
    int_accounts_territory_matched applies them (first band that holds; lowest priority rule wins)."""
    from demo.market import ACCOUNT_COUNTRIES, INDUSTRIES

    document = _territory_document()
    ids = segment_ids()
    revenue = revenue_cents / 100
    band = np.full(len(country), "", dtype=object)
    for spec in reversed(document["size_bands"]):  # the first band that holds wins: assign in reverse
        checks = []
        if "min_annual_revenue" in spec or "max_annual_revenue" in spec:
            checks.append((revenue >= spec.get("min_annual_revenue", -np.inf))
                          & (revenue < spec.get("max_annual_revenue", np.inf)))
        if "min_employees" in spec or "max_employees" in spec:
            checks.append((employees >= spec.get("min_employees", -np.inf))
                          & (employees < spec.get("max_employees", np.inf)))
        holds = np.logical_or.reduce(checks) if spec.get("match", "all") == "any" else np.logical_and.reduce(checks)
        band = np.where(holds, spec["size_band"], band)
    country_name = np.array(ACCOUNT_COUNTRIES, dtype=object)[country]
    industry_name = np.array(INDUSTRIES, dtype=object)[industry]
    segment = np.full(len(country), len(ids) - 1, dtype=np.int64)
    for rule in sorted(document["rules"], key=lambda r: r["priority"], reverse=True):
        holds = np.ones(len(country), dtype=bool)
        for key, values in (("billing_countries", country_name), ("industries", industry_name), ("size_bands", band)):
            if key in rule:
                holds &= np.isin(values, rule[key])
        segment = np.where(holds, ids.index(rule["territory_id"]), segment)
    return segment


def home_segments(country_name: str) -> tuple[int, ...]:
    """Segments (indices) whose rules take accounts billed in the seller's home country."""
    ids = segment_ids()
    found = []
    for rule in sorted(_territory_document()["rules"], key=lambda r: r["priority"]):
        index = ids.index(rule["territory_id"])
        if country_name in rule.get("billing_countries", ()) and index not in found:
            found.append(index)
    return tuple(found)


def seller_segment_strengths(home_country: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(win multiplier, value multiplier), each [seller, segment], from each seller's home country
    (index into ACCOUNT_COUNTRIES): a seller is strong with probability STRONG_SHARE, in one of the
    segments of the home country picked at random, and then weak in the next one (if the home
    country has another); 1 everywhere else. One seeded stream, so a seed gives the same strengths."""
    from demo.market import ACCOUNT_COUNTRIES

    rng = np.random.default_rng([seed, STREAM_STRENGTHS])
    n, s = len(home_country), len(segment_ids())
    draws = rng.random((n, 2))  # row i is seller i's, whatever n is (people only, or with the orphans)
    strong = draws[:, 0] < STRONG_SHARE
    pick = np.floor(draws[:, 1] * 1_000_000).astype(np.int64)
    win, value = np.ones((n, s)), np.ones((n, s))
    for seller in np.flatnonzero(strong):
        candidates = home_segments(ACCOUNT_COUNTRIES[int(home_country[seller])])
        if not candidates:
            continue
        best = candidates[int(pick[seller]) % len(candidates)]
        win[seller, best], value[seller, best] = STRONG_WIN, STRONG_VALUE
        if len(candidates) > 1:
            win[seller, candidates[(int(pick[seller]) + 1) % len(candidates)]] = WEAK_WIN
    return win, value


def planted_segment_strengths(org: Org, seed: int) -> list[dict]:
    """The hidden strengths of the demo's people, for tests: one row per person and segment with a
    multiplier other than 1 (employee_id, territory_id, win_multiplier, value_multiplier, is_strong)."""
    from demo.market import ACCOUNT_COUNTRIES

    home = np.array([ACCOUNT_COUNTRIES.index(COUNTRIES[p.country][1]) for p in org.people], dtype=np.int64)
    win, value = seller_segment_strengths(home, seed)
    ids = segment_ids()
    rows = []
    for p in org.people:
        for s, territory_id in enumerate(ids):
            if win[p.index, s] != 1 or value[p.index, s] != 1:
                rows.append({"employee_id": p.employee_id, "territory_id": territory_id,
                             "win_multiplier": float(win[p.index, s]), "value_multiplier": float(value[p.index, s]),
                             "is_strong": bool(win[p.index, s] > 1)})
    return rows


def account_segment_index(book, account_info, seed: int) -> np.ndarray:
    """Segment (index into :func:`segment_ids`) of every account of ``book``, at its newest version
    (the one the CRM extract ends with), from the same account stream as the landing files."""
    from demo.market import account_blocks

    segment = np.zeros(book.total, dtype=np.int64)
    for block in account_blocks(book, account_info, seed):
        newer = block["version_ts"][1] < 2**62
        revenue = np.where(newer, block["revenue_cents"][1], block["revenue_cents"][0])
        employees = np.where(newer, block["employees"][1], block["employees"][0])
        segment[block["index"]] = account_segments(block["country"], block["industry"], revenue, employees)
    return segment
