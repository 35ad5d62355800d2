"""Planning marts (SPEC §8) on ``tests/support/planning.py``: territory matching, effective-dated
assignments, potential, quota proposals that add up to the target, proposed vs assigned and
capacity, each against numbers computed here with the arithmetic beside them.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from tests.support.planning import TARGET_2026, planning_warehouse
from tests.support.warehouse import divide_money, money, query

pytestmark = pytest.mark.slow  # builds a dbt warehouse

D = Decimal


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return planning_warehouse(tmp_path_factory)


def whole(value: Decimal) -> Decimal:
    return value.quantize(D(1), rounding=ROUND_HALF_UP)


def cumulative_allocation(total: Decimal, weights: list[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """The documented rule: cumulative shares rounded to whole units, the last one takes the rest."""
    weight_sum = sum(w for _, w in weights)
    out, previous, running = {}, D(0), D(0)
    for key, weight in weights:
        running += weight
        cumulative = total if running == weight_sum else whole(divide_money(total * running, weight_sum))
        out[key] = cumulative - previous
        previous = cumulative
    return out


# ---------------------------------------------------------------- territories


def test_accounts_go_to_the_first_matching_rule_by_priority_or_the_default_territory(warehouse):
    rows = query(warehouse, "select account_id, size_band, rule_id, territory_id, is_default_territory "
                            "from fct_account_territory order by account_id")
    assert rows == [
        # US, Technology, revenue 2e9 >= 1e9: enterprise; rules ent (p20) and us (p30) match: ent wins
        ("A1", "enterprise", "ent", "T-ENT", False),
        # US, revenue 5e8: mid (not enterprise: < 1e9 and 2000 < 5000 employees); only us matches
        ("A2", "mid", "us", "T-US", False),
        # Germany, revenue 5e7 < 1e8: small; eu
        ("A3", "small", "eu", "T-EU", False),
        # Japan: no rule lists it -> default territory, kept and reported
        ("A4", "enterprise", None, "UNASSIGNED", True),
        # no revenue but 6000 >= 5000 employees: enterprise (match any); fins (p10) beats ent and us
        ("A5", "enterprise", "fins", "T-FINS", False),
    ]


def test_bad_territory_assignments_are_reported_not_used(warehouse):
    rows = query(warehouse, "select employee_id, territory_id, is_usable, quarantine_rule from fct_territory_assignment "
                            "where not is_usable order by employee_id")
    assert rows == [
        ("E003", "T-XX", False, "unknown_territory_id"),
        ("E999", "T-US", False, "territory_assignment_without_hr_worker"),
    ]
    assert query(warehouse, "select count(*) from int_territory_assignment_months where employee_id in ('E003', 'E999')") == [(0,)]


def test_effective_dating_later_start_wins_and_the_new_hire_ramp_applies(warehouse):
    rows = query(warehouse, """
        select employee_id, territory_id, sum(assigned_days), sum(capacity_months)
        from int_territory_assignment_months where plan_year = 2026
        group by employee_id, territory_id order by employee_id, territory_id""")
    assert rows == [
        ("E001", "T-ENT", 181, D(6)),    # 2026-01-01..06-30: 31+28+31+30+31+30 days, 6 full months
        ("E001", "T-US", 184, D(6)),     # from 07-01
        ("E002", "T-EU", 365, D(12)),
        ("E004", "T-ENT", 92, D(3)),     # 10-01..12-31 starts later than T-US: it wins those days
        ("E004", "T-US", 273, D(9)),     # Jan-Sep only
        ("E005", "T-US", 184, D("4.5")),  # hired 07-01 on PLAN_RAMP: 0.25 + 0.5 + 0.75 + 3 x 1.0
        ("E006", "T-FINS", 260, D("8.5")),  # only from 04-16 (job family): 15/30 + 8 months, next test
    ]
    # 2025: E001 on T-ENT all year (12 months), E002 from the hire on 2025-06-01 (Jun-Dec: 7 months)
    assert query(warehouse, "select employee_id, sum(capacity_months) from int_territory_assignment_months "
                            "where plan_year = 2025 group by employee_id order by 1") == [("E001", D(12)), ("E002", D(7))]


# ---------------------------------------------------------------- potential and proposals

# History window of 2026: deals won 2025-01-01..2025-12-31, USD (H7: 100000 EUR / 0.8 = 125000 USD).
HISTORY = {"T-ENT": D(300000) + D(125000), "T-US": D(100000), "T-EU": D(100000), "T-FINS": D(0), "UNASSIGNED": D(100000)}
REVENUE = {"T-ENT": D(2_000_000_000), "T-US": D(500_000_000), "T-EU": D(50_000_000), "T-FINS": D(0),
           "UNASSIGNED": D(3_000_000_000)}
CAPACITY = {"T-ENT": D(9), "T-EU": D(12), "T-FINS": D("8.5"), "T-US": D("19.5")}  # months, from the test above


def expected_potential() -> dict[str, Decimal]:
    # potential = 0.4 * revenue share + 0.6 * history share, each share to the 10th decimal:
    # T-ENT: 0.4 * 2e9/5.55e9 (0.3603603604) + 0.6 * 425000/725000 (0.5862068966) = 0.4958682821
    revenue_total, history_total = sum(REVENUE.values()), sum(HISTORY.values())
    return {
        t: divide_money(D("0.4") * divide_money(REVENUE[t], revenue_total) + D("0.6") * divide_money(HISTORY[t], history_total), 1)
        for t in REVENUE
    }


def test_territory_potential_from_size_and_history(warehouse):
    rows = query(warehouse, "select territory_id, annual_revenue, history_won_bookings, potential_share, is_covered "
                            "from fct_territory_potential where plan_year = 2026 order by territory_id")
    potential = expected_potential()
    assert potential["T-ENT"] == D("0.4958682821")
    assert rows == [
        (t, REVENUE[t], HISTORY[t], potential[t], t in CAPACITY)
        for t in ("T-ENT", "T-EU", "T-FINS", "T-US", "UNASSIGNED")
    ]


def test_the_target_goes_to_covered_territories_and_adds_up_exactly(warehouse):
    potential = expected_potential()
    # covered with potential: T-ENT, T-EU, T-US (in territory_id order); T-FINS is covered (E006) but has
    # potential 0 (no revenue, no history), so it gets 0 like UNASSIGNED, which has nobody
    expected = cumulative_allocation(TARGET_2026, [(t, potential[t]) for t in ("T-ENT", "T-EU", "T-US")])
    # T-ENT: round(2000000 * 0.4958682821 / 0.7010251631) = 1414695
    assert expected["T-ENT"] == D(1414695)
    rows = dict(query(warehouse, "select territory_id, territory_target from fct_territory_potential where plan_year = 2026"))
    assert rows == {**expected, "T-FINS": D(0), "UNASSIGNED": D(0)}
    assert sum(rows.values()) == TARGET_2026


def test_quota_proposals_split_the_territory_target_by_ramped_capacity_and_add_up_to_the_target(warehouse):
    territory = dict(query(warehouse, "select territory_id, territory_target from fct_territory_potential where plan_year = 2026"))
    rows = query(warehouse, "select territory_id, employee_id, capacity_months, proposed_quota, proposed_full_year_quota "
                            "from fct_quota_proposal where plan_year = 2026 order by territory_id, employee_id")
    # T-US 338917 over E001 6, E004 9, E005 4.5 months (19.5): E001 round(338917 * 6 / 19.5) = 104282,
    # E004 round(338917 * 15 / 19.5) - 104282 = 156423, E005 takes the rest 78212
    us = cumulative_allocation(territory["T-US"], [("E001", D(6)), ("E004", D(9)), ("E005", D("4.5"))])
    assert us == {"E001": D(104282), "E004": D(156423), "E005": D(78212)}
    ent = cumulative_allocation(territory["T-ENT"], [("E001", D(6)), ("E004", D(3))])
    assert rows == [
        ("T-ENT", "E001", D(6), ent["E001"], divide_money(territory["T-ENT"] * 12, D(9))),
        ("T-ENT", "E004", D(3), ent["E004"], divide_money(territory["T-ENT"] * 12, D(9))),
        ("T-EU", "E002", D(12), territory["T-EU"], territory["T-EU"]),
        ("T-FINS", "E006", D("8.5"), D(0), D(0)),  # target 0: 0 * 12 / 8.5
        ("T-US", "E001", D(6), us["E001"], divide_money(territory["T-US"] * 12, D("19.5"))),
        ("T-US", "E004", D(9), us["E004"], divide_money(territory["T-US"] * 12, D("19.5"))),
        ("T-US", "E005", D("4.5"), us["E005"], divide_money(territory["T-US"] * 12, D("19.5"))),
    ]
    assert sum(r[3] for r in rows) == TARGET_2026
    # the ramped new hire is proposed less for fewer ramped months, at the same full-year rate
    assert us["E005"] < us["E001"]


def test_proposed_against_assigned_quota_per_payee(warehouse):
    rows = {r[0]: r[1:] for r in query(warehouse, """
        select employee_id, primary_territory_id, proposed_quota, fx_rate_payee, proposed_quota_payee_currency,
               assigned_annual_quota, assigned_quota, quota_difference, assigned_to_proposed_ratio
        from fct_quota_proposal_vs_assigned where plan_year = 2026""")}
    proposals = dict(query(warehouse, "select employee_id, sum(proposed_quota) from fct_quota_proposal group by 1"))
    assert set(rows) == {"E001", "E002", "E003", "E004", "E005", "E006"}
    # E002 is paid in EUR: proposal * 0.92 (EUR per USD on 2026-01-01) / 1; assigned 100000 EUR all year
    e002 = money(proposals["E002"] * D("0.92"))
    assert rows["E002"] == ("T-EU", proposals["E002"], D("0.92"), e002, D(100000), D(100000),
                            D(100000) - e002, divide_money(D(100000), e002))
    # E001: two territories, 6 months each (T-ENT first by id); USD; quota 120000
    assert rows["E001"][:2] == ("T-ENT", proposals["E001"])
    assert rows["E001"][6] == D(120000) - proposals["E001"]
    # E003 has a quota but no territory: proposed 0, no ratio
    assert rows["E003"] == (None, D(0), D(1), D(0), D(90000), D(90000), D(90000), None)
    # E005 has a proposal but no quota; E004's quota is quarantined (USD quota, GBP payee)
    assert rows["E005"][5:] == (None, None, None) and rows["E004"][5:] == (None, None, None)
    # E006 works T-FINS (target 0) without a quota
    assert rows["E006"] == ("T-FINS", D(0), D(1), D(0), None, None, None, None)


def test_capacity_plan_at_observed_productivity_and_ramp(warehouse):
    (row,) = query(warehouse, """
        select history_won_bookings, history_capacity_months, productivity, fully_ramped_payees_needed,
               fully_ramped_payees_needed_rounded_up, planned_payees, planned_capacity_months, planned_bookings,
               capacity_gap, new_hire_capacity_months, new_hire_first_year_bookings, new_hires_needed
        from fct_capacity_plan where plan_year = 2026""")
    # 2025: 725000 USD won over 19 ramped payee-months (E001 12 + E002 7)
    productivity = divide_money(D(725000) * 12, D(19))  # 457894.7368421053 per ramped payee-year
    planned = divide_money(productivity * D(49), 12)  # 2026: 9 + 12 + 8.5 + 19.5 months
    gap = TARGET_2026 - planned  # 2000000 - 1869736.8421052633 = 130263.1578947367
    new_hire_months = D(12) - (D("0.75") + D("0.5") + D("0.25"))  # PLAN_RAMP: 10.5
    new_hire = divide_money(productivity * new_hire_months, 12)
    assert row == (
        D(725000), D(19), productivity, divide_money(TARGET_2026, productivity),
        5,  # 2000000 / 457894.74 = 4.37 -> 5
        5, D(49), planned, gap, new_hire_months, new_hire,
        math.ceil(divide_money(gap, new_hire)),  # 130263.16 / 400657.89 = 0.33 -> 1
    )
    assert gap == D("130263.1578947367") and row[-1] == 1


def test_the_planning_ramp_is_the_quota_ramp(warehouse):
    # E005 hired 2026-07-01 on PLAN_RAMP: the same factors as fct_quota would use (the singular
    # dbt test assert_planning_ramp_matches_fct_quota checks every quota month)
    rows = query(warehouse, "select period, employment_month, ramp_factor from int_payee_month_ramps "
                            "where employee_id = 'E005' and period between '2026-06' and '2026-10' order by period")
    assert rows == [("2026-06", 0, D(1)), ("2026-07", 1, D("0.25")), ("2026-08", 2, D("0.5")),
                    ("2026-09", 3, D("0.75")), ("2026-10", 4, D(1))]


def test_no_planning_capacity_while_the_job_family_is_not_eligible_for_the_plan(warehouse):
    # E006 (hired 2025-01-01) works T-FINS from 2026-01-01 on PLAN_FAM, which pays only job family Sales;
    # E006 is Sales Development until 2026-04-15 and Sales from 2026-04-16. The engine pays PLAN_FAM only
    # from 04-16 (int_plan_assignment_segments), so planning counts only those days:
    #   Jan-Mar: 0 days (ineligible, no row); Apr: 16..30 = 15 of 30 days -> 15 / 30 = 0.5 capacity months;
    #   May-Dec: full months (no ramp on PLAN_FAM) -> 8; total 260 days (15 + 245), 8.5 months (12 before
    #   the rule: every day of the year was counted).
    rows = query(warehouse, "select period, plan_id, ramp_factor, assigned_days, days_in_month, capacity_months "
                            "from int_territory_assignment_months where employee_id = 'E006' and plan_year = 2026 "
                            "order by period")
    assert rows[:2] == [("2026-04", "PLAN_FAM", D(1), 15, 30, D("0.5")), ("2026-05", "PLAN_FAM", D(1), 31, 31, D(1))]
    assert [r[0] for r in rows] == [f"2026-{m:02d}" for m in range(4, 13)]
    assert (sum(r[3] for r in rows), sum(r[5] for r in rows)) == (260, D("8.5"))
    # the day rule both quota and planning read: Jan 1 .. Apr 15 (31 + 28 + 31 + 15 = 105 days) refused
    assert query(warehouse, """
        select min(day), max(day), count(*) from int_payee_days
        where employee_id = 'E006' and is_job_family_ineligible""") == [
        (date(2026, 1, 1), date(2026, 4, 15), 105)]
    # the months without a paying plan have no plan and no ramp, as fct_quota would show them
    assert query(warehouse, "select period, plan_id, ramp_factor from int_payee_month_ramps "
                            "where employee_id = 'E006' and period between '2026-03' and '2026-04' order by period") == [
        ("2026-03", None, D(1)), ("2026-04", "PLAN_FAM", D(1))]
    # the engine quarantines the same run of days
    assert query(warehouse, """
        select rule, value from fct_quarantine
        where rule = 'plan_assignment_job_family_not_eligible' and record_json like '%E006%'""") == [
        ("plan_assignment_job_family_not_eligible", "Sales Development 2026-01-01..2026-04-15")]
