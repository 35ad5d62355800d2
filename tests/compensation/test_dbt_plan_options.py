"""The plan options of docs/plans.md, in the warehouse: one payee per option value, built once with dbt.

Every payee: TI 12,000, annual quota 120,000 -> BCR 0.1, monthly quota 10,000
(tests/support/plan_options.py). Amounts are compared to the 10th decimal.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.support.earnings import commission, commission_detail_mismatches
from tests.support.plan_options import build_plan_options_company
from tests.support.warehouse import build_warehouse, query

pytestmark = pytest.mark.slow  # builds a dbt warehouse

D = Decimal


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    # the models only: this module checks hand-computed numbers; every data test runs in
    # tests/compensation/test_dbt_build.py (tests/support/warehouse.py, MODELS_ONLY)
    warehouse, _ = build_warehouse(
        tmp_path_factory.mktemp("dbt_plan_options"), build_plan_options_company, data_tests=False)
    return warehouse


# --- quota bonus: pay_when ---------------------------------------------------------------------


def test_quarterly_bonus_is_paid_in_the_quarters_last_month_by_default(warehouse):
    # E201, pay_when basis_end: QTD Jan 8000 / 10000 = 0.8, Feb 23000 / 20000 = 1.15 (reached, not paid yet),
    # Mar 31000 / 30000 = 1.0333 >= 1.0 -> 2000 in March, on the quarter's attainment then
    assert commission(warehouse, "E201") == {"2026-01": D("0"), "2026-02": D("0"), "2026-03": D("2000")}


def test_quarterly_bonus_of_a_payee_leaving_mid_quarter_is_paid_in_their_last_month(warehouse):
    # E202 terminated 2026-02-15: February quota 10000 x 15 / 28 = 5357.1428571429; QTD at Feb:
    # 18000 / 15357.1428571429 = 1.17 >= 1.0 -> 2000 in February, the last month on the plan in Q1;
    # nothing in March (the quarter's bonus was paid once)
    assert commission(warehouse, "E202") == {"2026-01": D("0"), "2026-02": D("2000")}
    rows = query(
        warehouse,
        """
        select period, quota_to_date, earned_to_date, earnings_amount from int_earnings_periodized
        where employee_id = 'E202' and quarter = '2026-Q1' order by 1
        """,
    )
    assert rows == [
        ("2026-01", D("10000"), D("0"), D("0")),
        ("2026-02", D("15357.1428571429"), D("2000"), D("2000")),
        ("2026-03", D("15357.1428571429"), D("2000"), D("0")),
    ]


def test_quarterly_bonus_paid_when_the_threshold_is_reached_is_reversed_if_attainment_falls(warehouse):
    # E203, pay_when threshold_reached: QTD Feb 23000 / 20000 = 1.15 -> 2000 in Feb;
    # Mar 24000 / 30000 = 0.8 -> reversed (-2000)
    assert commission(warehouse, "E203") == {"2026-01": D("0"), "2026-02": D("2000"), "2026-03": D("-2000")}


# --- ramp_start --------------------------------------------------------------------------------


def test_ramp_starts_the_month_after_a_hire_after_the_cut_off_day(warehouse):
    # E204 hired 2026-01-22 (after day 15), ramp [0.25, 0.5, 0.75]: January is ramp month 0 with the
    # first factor, prorated 10 of 31 days: 10000 x 0.25 x 10 / 31 = 806.4516129032;
    # Feb ramp month 1 (0.25): 2500; Mar 2 (0.5): 5000; Apr 3 (0.75): 7500; May 10000
    rows = query(
        warehouse,
        """
        select period, employment_month, ramp_factor, eligible_days, monthly_quota from fct_quota
        where employee_id = 'E204' and period <= '2026-05' order by 1
        """,
    )
    assert rows == [
        ("2026-01", 1, D("0.25"), 10, D("806.4516129032")),
        ("2026-02", 2, D("0.25"), 28, D("2500")),
        ("2026-03", 3, D("0.5"), 31, D("5000")),
        ("2026-04", 4, D("0.75"), 30, D("7500")),
        ("2026-05", 5, D("1"), 31, D("10000")),
    ]
    # the one ramp rule planning reads too (int_territory_assignment_months)
    ramps = query(
        warehouse,
        "select period, ramp_month, ramp_factor from int_payee_month_ramps where employee_id = 'E204' and period <= '2026-05' order by 1",
    )
    assert ramps == [
        ("2026-01", 0, D("0.25")), ("2026-02", 1, D("0.25")), ("2026-03", 2, D("0.5")),
        ("2026-04", 3, D("0.75")), ("2026-05", 4, D("1")),
    ]


def test_a_hire_on_the_cut_off_day_starts_the_ramp_in_the_hire_month(warehouse):
    # E205 hired 2026-03-15 (not after day 15): March is ramp month 1 (0.25), 17 of 31 days:
    # 10000 x 0.25 x 17 / 31 = 1370.9677419355; April ramp month 2 (0.5) = 5000
    rows = query(
        warehouse,
        """
        select period, ramp_factor, monthly_quota from fct_quota
        where employee_id = 'E205' and period between '2026-03' and '2026-04' order by 1
        """,
    )
    assert rows == [("2026-03", D("0.25"), D("1370.9677419355")), ("2026-04", D("0.5"), D("5000"))]


# --- rate tables on amount ---------------------------------------------------------------------


def test_marginal_rate_table_on_amount_pays_each_slice_at_its_rate(warehouse):
    # basis quarter, 5% to 100000, 7% to 250000, 9% above; QTD credit 60000, 160000, 300000:
    # Jan 0.05 x 60000 = 3000
    # Feb to date 0.05 x 100000 + 0.07 x 60000 = 9200 -> 6200
    # Mar to date 5000 + 0.07 x 150000 + 0.09 x 50000 = 5000 + 10500 + 4500 = 20000 -> 10800
    assert commission(warehouse, "E206") == {"2026-01": D("3000"), "2026-02": D("6200"), "2026-03": D("10800")}
    bands = query(
        warehouse,
        """
        select tier_index, amount_from, amount_to, rate, amount_in_band, band_earnings from int_earnings_tier_bands
        where employee_id = 'E206' and period = '2026-03' order by 1
        """,
    )
    assert bands == [
        (1, D("0"), D("100000"), D("0.05"), D("100000"), D("5000")),
        (2, D("100000"), D("250000"), D("0.07"), D("150000"), D("10500")),
        (3, D("250000"), None, D("0.09"), D("50000"), D("4500")),
    ]


def test_retroactive_rate_table_on_amount_needs_no_quota(warehouse):
    # E207 has no quota at all; the band holding the QTD credit sets the rate for all of it:
    # Jan 0.05 x 60000 = 3000; Feb 0.07 x 160000 = 11200 -> 8200; Mar 0.09 x 300000 = 27000 -> 15800
    assert commission(warehouse, "E207") == {"2026-01": D("3000"), "2026-02": D("8200"), "2026-03": D("15800")}
    assert query(warehouse, "select count(*) from fct_quota where employee_id = 'E207'") == [(0,)]


def test_commission_detail_re_adds_for_the_options(warehouse):
    assert commission_detail_mismatches(warehouse) == []


# --- clawback_policy ---------------------------------------------------------------------------


def test_commission_only_clawback_keeps_attainment_and_takes_the_deal_out_of_the_commission(warehouse):
    # retroactive tiers on attainment, basis period, [0, 0.5) x0.5, [0.5, 1.0) x1.0, [1.0, ..) x1.5.
    # E208, commission_only: January booked 6000 + 6000 (CC2 lost Feb 1, 22 days after CloseDate, in the
    # 90-day window) = 12000 / 10000 = 1.2 -> x1.5 on the commission measure 6000: 0.1 x 1.5 x 6000 = 900;
    # February CC3 booked 10000 (reduced to 4000 on Feb 20): attainment 1.0 -> x1.5 on 4000 = 600.
    assert commission(warehouse, "E208") == {"2026-01": D("900"), "2026-02": D("600")}
    # E209, reverse_credit: January 6000 / 10000 = 0.6 -> x1.0: 600; February 4000 -> 0.4 -> x0.5: 200
    assert commission(warehouse, "E209") == {"2026-01": D("600"), "2026-02": D("200")}
    attainment = query(
        warehouse,
        """
        select employee_id, period, credit_period, attainment_period from fct_attainment
        where employee_id in ('E208', 'E209') and period <= '2026-02' order by 1, 2
        """,
    )
    assert attainment == [
        ("E208", "2026-01", D("12000"), D("1.2")), ("E208", "2026-02", D("10000"), D("1")),
        ("E209", "2026-01", D("6000"), D("0.6")), ("E209", "2026-02", D("4000"), D("0.4")),
    ]


def test_commission_only_clawback_leaves_the_credit_booked_and_lists_the_clawback(warehouse):
    credits = query(
        warehouse,
        """
        select opportunity_id, credit_status, credit_amount, commission_credit_amount from fct_credit
        where employee_id in ('E208', 'E209') order by 1
        """,
    )
    assert credits == [
        ("CC1", "current", D("6000"), D("6000")),
        ("CC2", "commission_clawed_back", D("6000"), D("0")),
        ("CC3", "commission_clawed_back", D("10000"), D("4000")),
        ("CR1", "current", D("6000"), D("6000")),
        ("CR3", "current", D("4000"), D("4000")),
    ]
    clawbacks = query(
        warehouse,
        """
        select opportunity_id, clawback_policy, original_credit_amount, current_credit_amount, reason
        from fct_clawback where employee_id in ('E208', 'E209') order by 1
        """,
    )
    assert clawbacks == [
        ("CC2", "commission_only", D("6000"), D("0"), "lost"),
        ("CC3", "commission_only", D("10000"), D("4000"), "amount_reduced"),
        ("CR2", "reverse_credit", D("6000"), D("0"), "lost"),
        ("CR3", "reverse_credit", D("10000"), D("4000"), "amount_reduced"),
    ]


def test_the_statement_explains_a_band_on_amount_by_its_bounds_and_rate(warehouse):
    # E206 in March, to date: bands [0, 100,000) x 0.05, [100,000, 250,000) x 0.07, [250,000, ..) x 0.09
    from assets.statements.explain import explain
    from assets.statements.gather import build_statements, read_period_marts

    statements = build_statements("2026-03", [], read_period_marts(warehouse, "2026-03"))
    (e206,) = [s for s in statements if s.header.employee_id == "E206"]
    (component,) = e206.components
    rows = [(row.what, row.amount) for row in explain(component, "USD") if row.kind == "line"]
    assert ("Band 3: credit 250,000.00 and above", "4,500.00") in rows
    assert ("Band 1: credit 0.00 to 100,000.00", "5,000.00") in rows
