"""Coaching needs (docs/insights.md#coaching-needs) on the hand-made funnel of
``tests/support/coaching.py``: conversion per stage, family and overall, the Wilson interval,
the peers, the credit cost, the weakest area and "not enough data", against numbers computed
by hand in the comments.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from tests.support.coaching import coaching_warehouse
from tests.support.warehouse import query

pytestmark = pytest.mark.slow  # builds a dbt warehouse

D = Decimal
Q = "2025-Q4"


def wilson(converted: int, entered: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval, written out here to check the SQL."""
    p, n = converted / entered, entered
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


@pytest.fixture(scope="module")
def warehouse():
    return coaching_warehouse()


def areas(warehouse, employee_id):
    return {
        (row[0], row[1]): row[2:]
        for row in query(warehouse, """
            select area_type, area, deals_entered, deals_converted, conversion_rate, peer_group, peer_payees,
                   peer_deals_entered, peer_deals_converted, peer_conversion_rate, conversion_gap,
                   pipeline_value, has_enough_data, is_significant, credit_cost
            from fct_payee_coaching_area where employee_id = ? and quarter = ?""", [employee_id, Q])
    }


def test_stage_conversion_against_the_team_and_the_credit_it_cost(warehouse):
    got = areas(warehouse, "E001")
    # E001 reached Prospecting 10 times, Qualification 5, Proposal 4, Negotiation 4, won 3; the team
    # peers E002 + E004 pooled: 20, 18, 16, 12, won 10. Deals of 10000 USD.
    assert got[("stage", "Prospecting")] == (
        10, 5, D("0.5"), "team", 2, 20, 18, D("0.9"), D("0.4"),
        D(100000), True, True, D(40000),                      # 0.4 x 100000; interval high 0.76 < 0.9
    )
    assert got[("stage", "Qualification")] == (
        5, 4, D("0.8"), "team", 2, 18, 16, D("0.8888888889"), D("0.0888888889"),
        D(50000), True, False, D("4444.444445"),              # 0.0888888889 x 50000; high 0.96 > 0.89
    )
    # E001 converts all 4 Proposals, the peers 12 of 16: no cost where the payee is better
    assert got[("stage", "Proposal")][2] == D(1) and got[("stage", "Proposal")][-1] == D(0)
    assert got[("stage", "Negotiation")][-1] == D("3333.333332")  # (10/12 - 3/4) x 40000
    # the family: every deal holds Platform, so its conversion is the win rate, 3/10 against 10/20
    assert got[("product_family", "Platform")] == (
        10, 3, D("0.3"), "team", 2, 20, 10, D("0.5"), D("0.2"),
        D(100000), True, False, D(20000),                     # high 0.60 > 0.5: not significant
    )


def test_the_wilson_interval(warehouse):
    rows = dict(
        (area, (float(low), float(high)))  # DECIMAL(38,10): the square root is taken in DOUBLE
        for area, low, high in query(warehouse, """
            select area, conversion_low, conversion_high from fct_payee_coaching_area
            where employee_id = 'E001' and quarter = ? and area_type = 'stage'""", [Q])
    )
    # Prospecting 5 of 10: centre 0.5, half 1.96 x sqrt(0.025 + 0.009604) / 1.38416 = 0.2634
    assert rows["Prospecting"] == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert rows["Prospecting"] == pytest.approx(wilson(5, 10), abs=1e-10)
    # Qualification 4 of 5: centre (0.8 + 0.38416) / 1.76832 = 0.66965, half 0.29413
    assert rows["Qualification"] == pytest.approx((0.3755, 0.9638), abs=1e-4)
    assert rows["Negotiation"] == pytest.approx(wilson(3, 4), abs=1e-10)


def test_time_in_stage_deal_size_and_discount_against_the_peers(warehouse):
    (row,) = query(warehouse, """
        select average_days_in_stage, peer_average_days_in_stage from fct_payee_coaching_area
        where employee_id = 'E001' and quarter = ? and area = 'Prospecting'""", [Q])
    assert row == (D(16), D(10))  # E001 takes 16 days to qualify, the peers 10
    (row,) = query(warehouse, """
        select closed_deals, won_deals, win_rate, peer_win_rate, won_amount, average_won_deal_size,
               peer_average_won_deal_size, discount_rate, peer_discount_rate
        from fct_payee_coaching_need where employee_id = 'E001' and quarter = ?""", [Q])
    # peers won 5 x 10000 (E002) + 5 x 20000 (E004) = 150000 over 10 deals; the list price is the
    # highest UnitPrice, 12500 (E002's lost deal): every 10000 line is 20% off
    assert row == (10, 3, D("0.3"), D("0.5"), D(30000), D(10000), D(15000), D("0.2"), D("0.2"))


def test_the_weakest_area_names_the_significant_stage(warehouse):
    (row,) = query(warehouse, """
        select weakest_area_type, weakest_area, weakest_area_deals, weakest_area_conversion_rate,
               weakest_area_peer_conversion_rate, weakest_area_conversion_gap, weakest_area_pipeline_value,
               credit_cost, coaching_status, is_flagged, peer_group
        from fct_payee_coaching_need where employee_id = 'E001' and quarter = ?""", [Q])
    assert row == ("stage", "Prospecting", 10, D("0.5"), D("0.9"), D("0.4"), D(100000), D(40000),
                   "coaching need", True, "team")


def test_a_payee_better_than_the_peers_is_not_flagged(warehouse):
    (row,) = query(warehouse, """
        select win_rate, peer_win_rate, coaching_status, is_flagged
        from fct_payee_coaching_need where employee_id = 'E002' and quarter = ?""", [Q])
    assert row == (D("0.5"), D("0.4"), "no significant gap", False)  # peers (3 + 5) / 20


def test_too_few_deals_is_not_enough_data_and_never_flagged(warehouse):
    (row,) = query(warehouse, """
        select closed_deals, peer_group, weakest_area, credit_cost, coaching_status, is_flagged
        from fct_payee_coaching_need where employee_id = 'E003' and quarter = ?""", [Q])
    # E003 (the manager: no team of his own, peers by job family) has 2 deals, fewer than 4
    assert row == (2, "job_family", None, D(0), "not enough data", False)
    flags = query(warehouse, """
        select count(*) from fct_payee_coaching_area where not has_enough_data and (is_significant or credit_cost <> 0)""")
    assert flags == [(0,)]
