"""Insight marts (SPEC §8) on ``tests/support/planning.py``: win rate, average deal size, sales
cycle, discounting, product families, pipeline coverage, attainment distribution and the flag,
each against numbers computed by hand in the comments.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.support.planning import planning_warehouse
from tests.support.warehouse import divide_money, query

pytestmark = pytest.mark.slow  # builds a dbt warehouse

D = Decimal


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return planning_warehouse(tmp_path_factory)


def test_win_rate_average_deal_size_and_sales_cycle(warehouse):
    (row,) = query(warehouse, """
        select closed_deals, won_deals, lost_deals, win_rate, closed_amount, won_amount, value_win_rate,
               average_won_deal_size, total_sales_cycle_days, average_sales_cycle_days, team_manager_employee_id
        from fct_sales_performance where period = '2025-06' and employee_id = 'E001'""")
    # E001 in June 2025: H1 won 300000 USD (created 04-11, closed 06-10: 60 days), H6 lost
    # 100000 USD, H7 won 100000 EUR = 125000 USD at 0.8 (created 06-05, closed 06-25: 20 days)
    assert row == (
        3, 2, 1,
        D("0.6666666667"),                 # 2 / 3
        D(525000),                         # 300000 + 100000 + 125000
        D(425000),                         # 300000 + 125000
        D("0.8095238095"),                 # 425000 / 525000
        D(212500),                         # 425000 / 2
        80, D(40),                         # (60 + 20) / 2
        "E003",
    )


def test_discounting_against_the_derived_list_price(warehouse):
    rows = query(warehouse, """
        select product_id, line_items, discounted_line_items, quantity, list_value, sold_value, discount_amount, discount_rate
        from fct_discounting where period = '2025-06' order by product_id""")
    # list price = highest UnitPrice per product and currency: P1 USD 30000 (H3), P1 EUR 25000, P2 USD 1000
    # P1: H1 10 x 27000 (list 300000, sold 270000) + H7 4 x 25000 EUR at list (100000 EUR = 125000 USD)
    assert rows == [
        ("P1", 2, 1, D(14), D(425000), D(395000), D(30000), divide_money(D(30000), D(425000))),  # 0.0705882353
        ("P2", 1, 0, D(30), D(30000), D(30000), D(0), D(0)),
    ]
    assert rows[0][-1] == D("0.0705882353")


def test_product_family_performance(warehouse):
    rows = query(warehouse, """
        select product_family, closed_deals, won_deals, win_rate, won_amount, won_units, average_unit_price,
               won_amount_share, discount_rate
        from fct_product_family_performance where period = '2025-06' order by product_family""")
    # June 2025 won lines: Software 270000 + 125000 = 395000 over 14 units; Services 30000 over 30;
    # H6 (lost) has no line items, so it is in no family
    assert rows == [
        ("Services", 1, 1, D(1), D(30000), D(30), D(1000), divide_money(D(30000), D(425000)), D(0)),
        ("Software", 2, 2, D(1), D(395000), D(14), D("28214.2857142857"), D("0.9294117647"), D("0.0705882353")),
    ]


def test_pipeline_coverage_is_open_pipeline_over_remaining_quota(warehouse):
    rows = {r[0]: r[1:] for r in query(warehouse, """
        select horizon, as_of_date, open_deals, open_pipeline, weighted_pipeline, horizon_quota, credit_to_date,
               remaining_quota, pipeline_coverage
        from fct_pipeline_coverage where employee_id = 'E003'""")}
    as_of = rows["quarter"][0]
    assert str(as_of) == "2026-03-05"  # the newest Opportunity batch
    # Carol E003, quota 90000 (7500 a month); Q1 credit: O10 12000 + half of O12 500 = 12500
    # quarter: P1 20000 (prob 50) closes 03-20; remaining 22500 - 12500 = 10000 -> coverage 2
    assert rows["quarter"][1:] == (1, D(20000), D(10000), D(22500), D(12500), D(10000), D(2))
    # plan year: P1 + P2 11000 (prob 10, closes 09-30) = 31000; remaining 90000 - 12500 = 77500 -> 0.4
    assert rows["plan_year"][1:] == (2, D(31000), D(11100), D(90000), D(12500), D(77500), D("0.4"))


def test_pipeline_in_the_payee_currency_and_no_coverage_when_quota_is_reached(warehouse):
    rows = dict(query(warehouse, "select employee_id || '/' || horizon, open_pipeline from fct_pipeline_coverage"))
    # Bob E002 is paid in EUR: P3 10000 USD * 0.9234 (EUR per USD on 2026-03-05) = 9234 EUR
    assert rows["E002/quarter"] == D(9234)
    # Alice E001 is far above her Q1 quota: nothing remains, coverage is null (not a division by 0)
    (row,) = query(warehouse, "select remaining_quota, pipeline_coverage from fct_pipeline_coverage "
                              "where employee_id = 'E001' and horizon = 'quarter'")
    assert row == (D(0), None)


def test_attainment_distribution_by_team_and_company(warehouse):
    rows = {(r[0], r[1]): r[2:] for r in query(warehouse, """
        select team_level, team_manager_employee_id, payees_with_quota, payees_at_or_above_quota, share_at_or_above_quota,
               payees_50_to_100_pct, payees_below_threshold
        from fct_attainment_distribution where period = '2026-03' and basis = 'qtd'""")}
    # Q1 to date: Alice E001 and Bob E002 (Carol's team) far above quota; Carol E003 (no manager)
    # 12500 / 22500 = 0.56: below quota, above the 0.5 threshold
    assert rows == {
        ("company", None): (3, 2, D("0.6666666667"), 1, 0),
        ("team", "E003"): (2, 2, D(1), 0, 0),
        ("team", None): (1, 0, D(0), 1, 0),
    }


def test_payees_below_the_attainment_threshold_are_flagged(warehouse):
    rows = dict(query(warehouse, "select employee_id || '/' || period, is_below_threshold from fct_payee_attainment_flag "
                                 "where employee_id = 'E003'"))
    # Carol's YTD: March 12500 / 22500 = 0.56 (not flagged); June 12500 / 45000 = 0.28 < 0.5 (flagged)
    assert rows["E003/2026-03"] is False
    assert rows["E003/2026-06"] is True
    (threshold,) = query(warehouse, "select distinct attainment_threshold from fct_payee_attainment_flag")
    assert threshold == (D("0.5"),)
