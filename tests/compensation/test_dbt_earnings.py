"""SPEC §5 earnings, in the warehouse: one payee per rule, built once with dbt.

Every payee: TI 12,000, annual quota 120,000 -> BCR 0.1, monthly quota 10,000.
Tiers (marginal and retroactive): [0, 0.5) x0.5, [0.5, 1.0) x1.0, [1.0, open) x1.5.
Amounts are compared to the 10th decimal.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from core.money import round_money
from tests.support.earnings import build_earnings_company, commission, commission_detail_mismatches
from tests.support.warehouse import query, shared_warehouse

pytestmark = pytest.mark.slow  # builds a dbt warehouse

D = Decimal


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    # the earnings company is built once per session with every data test, shared with
    # tests/statements/test_statements.py (read-only)
    return shared_warehouse(tmp_path_factory, build_earnings_company)


def balances(warehouse: Path, employee_id: str, until: str = "2026-06") -> list[tuple]:
    return query(
        warehouse,
        """
        select period, earnings_amount, draw_amount, payable_amount, balance_out
        from fct_payee_balance where employee_id = ? and period <= ? order by period
        """,
        [employee_id, until],
    )


def test_marginal_tiers_cross_bands(warehouse):
    # Jan: C 12000, Q 10000: 0.1 x (0.5 x 5000 + 1.0 x 5000 + 1.5 x 2000) = 1050
    # Feb: C 4000: 0.1 x 0.5 x 4000 = 200
    assert commission(warehouse, "E101") == {"2026-01": D("1050.0000000000"), "2026-02": D("200.0000000000")}


def test_retroactive_tiers_pay_the_reached_band_on_all_credit(warehouse):
    # Jan: 12000 / 10000 = 1.2 -> x1.5: 0.1 x 1.5 x 12000 = 1800
    # Feb: 7000 / 10000 = 0.7 -> x1.0: 0.1 x 1.0 x 7000 = 700
    assert commission(warehouse, "E102") == {"2026-01": D("1800.0000000000"), "2026-02": D("700.0000000000")}


def test_ytd_true_up_across_a_quarter_can_be_negative(warehouse):
    # Jan: C 12000, Q 10000: 1050 (as above)
    # Feb: C 12000, Q 20000 (0.6): 0.1 x (0.5 x 10000 + 1.0 x 2000) = 700 -> true-up 700 - 1050 = -350
    # Mar: C 32000, Q 30000: 0.1 x (0.5 x 15000 + 1.0 x 15000 + 1.5 x 2000) = 2550 -> 2550 - 700 = 1850
    # Apr: C 32000, Q 40000 (0.8): 0.1 x (0.5 x 20000 + 1.0 x 12000) = 2200 -> -350
    earned = commission(warehouse, "E103")
    assert earned["2026-01"] == D("1050")
    assert earned["2026-02"] == D("-350")
    assert earned["2026-03"] == D("1850")
    assert earned["2026-04"] == D("-350")
    # the year's true-ups add up to earned(C_year, Q_year): C 32000, Q 120000 (0.2667) -> 0.1 x 0.5 x 32000 = 1600
    assert sum(earned.values()) == D("1600")


def test_negative_balance_is_carried_never_paid(warehouse):
    # Jan paid 1050; Feb earns -350: paid 0, balance -350; Mar earns 1850: paid 1850 - 350 = 1500;
    # Apr earns -350: paid 0, balance -350 (carried; recovered from later earnings above zero)
    rows = balances(warehouse, "E103", "2026-04")
    assert [(r[0], r[3], r[4]) for r in rows] == [
        ("2026-01", D("1050"), D("0")),
        ("2026-02", D("0"), D("-350")),
        ("2026-03", D("1500"), D("0")),
        ("2026-04", D("0"), D("-350")),
    ]
    # The lines use only the list's codes: February's COMMISSION true-up of -350 is not paid
    # (payable 0.00, carried +350); March pays its COMMISSION 1,850 less the carried 350, under
    # the code and plan the deduction was earned under: one COMMISSION line of 1,500.00.
    lines = query(
        warehouse,
        """
        select period, earning_code, earnings_amount, carried_amount, payable_amount from fct_payable
        where employee_id = 'E103' and period <= '2026-04' order by 1, 2
        """,
    )
    assert lines == [
        ("2026-01", "COMMISSION", D("1050"), D("0"), D("1050")),
        ("2026-02", "COMMISSION", D("-350"), D("350"), D("0")),
        ("2026-03", "COMMISSION", D("1850"), D("-350"), D("1500")),
        ("2026-04", "COMMISSION", D("-350"), D("350"), D("0")),
    ]
    assert query(warehouse, "select count(*) from fct_payee_balance where payable_amount < 0") == [(0,)]


def test_gate_pays_nothing_below_and_everything_from_it(warehouse):
    # Jan: 4000 / 10000 = 0.4 < gate 0.5 -> 0 (row kept: it has a deal)
    # Feb: 6000 / 10000 = 0.6 >= 0.5 -> full earned: 0.1 x (0.5 x 5000 + 1.0 x 1000) = 350
    assert commission(warehouse, "E104") == {"2026-01": D("0"), "2026-02": D("350")}


def test_cap_clips_the_plan_year_cumulative(warehouse):
    # cap 0.1 x TI 12000 = 1200; flat 10%: Jan 1000 (cum 1000), Feb 500 -> cum 1500 clipped to 1200: 200,
    # Mar 300 -> cum 1800 clipped to 1200: 0
    assert commission(warehouse, "E105") == {"2026-01": D("1000"), "2026-02": D("200"), "2026-03": D("0")}


def test_quota_bonus_is_judged_on_the_quarters_attainment_in_its_last_month(warehouse):
    # pay_when basis_end (the default, SPEC §5): QTD Jan 8000 / 10000 = 0.8; Feb 23000 / 20000 = 1.15 (reached,
    # not paid: the quarter is not over); Mar 24000 / 30000 = 0.8 < 1.0 -> the quarter ends below the threshold:
    # no bonus, and nothing to reverse (threshold_reached, paid in Feb and reversed in Mar:
    # tests/compensation/test_dbt_plan_options.py)
    rows = query(
        warehouse,
        "select period, earning_code, commission_amount from fct_commission where employee_id = 'E106' order by 1",
    )
    assert rows == [
        ("2026-01", "BONUS", D("0")),
        ("2026-02", "BONUS", D("0")),
        ("2026-03", "BONUS", D("0")),
    ]


def test_spif_pays_per_qualifying_deal_inside_the_window(warehouse):
    # S2 (Feb 1) and S3 (Feb 28) are inside [Feb 1, Feb 28]; S1 (Jan 31), S4 (Mar 1) outside;
    # S5 is an Upsell (filter: New Business only) -> 2 x 500 = 1000 in February
    assert commission(warehouse, "E107") == {"2026-02": D("1000")}


def test_product_family_filter_counts_the_familys_share_of_the_deal(warehouse):
    # F1 10000 with line items Hardware 6000, Services 4000 -> Hardware credit 10000 x 6000 / 10000 = 6000
    # -> 10% = 600; F2 has Services only -> not counted
    assert commission(warehouse, "E110") == {"2026-01": D("600")}


def test_product_amount_flat_rate_pays_on_the_filtered_familys_credit(warehouse):
    # PA1 10000 (Jan 10), line items Hardware 2 x 3000 = 6000, Services 1 x 4000 = 4000;
    # measure product_amount, filter Hardware: 10000 x 6000 / 10000 = 6000.0000000000 -> 10% = 600.0000000000
    assert commission(warehouse, "E112") == {"2026-01": D("600.0000000000")}


def test_product_units_flat_rate_pays_rate_times_units(warehouse):
    # PU1 (Jan 10): Hardware Quantity 2, the payee owns 100% -> 2 x 100 / 100 = 2.0000000000 units
    # -> flat 50 per unit = 100.0000000000; PU2 (Feb) has Services only -> no Hardware units, nothing
    assert commission(warehouse, "E113") == {"2026-01": D("100.0000000000")}


def test_spif_pays_per_qualifying_unit_inside_the_window(warehouse):
    # window [Feb 1, Feb 28], filter Hardware, 100 per unit, the payee owns 100% of each deal:
    # SU1 (Jan 31, 3 Hardware units) and SU3 (Mar 1, 5 Hardware units) are outside -> nothing;
    # SU2 (Feb 10): Hardware Quantity 2 x 100 / 100 = 2.0000000000 units (the Services unit does not count)
    # -> 100 x 2 = 200.0000000000 in February
    assert commission(warehouse, "E114") == {"2026-02": D("200.0000000000")}


def test_plan_change_mid_month_pays_each_plan_for_its_days(warehouse):
    # E111: P_MARG Jan 1-15 (15 of 31 days), P_CAP from Jan 16 (16 days); monthly quota 10000.
    # P_MARG quota = 10000 x 15 / 31 = 4838.709677419354.. -> 4838.7096774194
    # P_CAP quota  = 10000 x 16 / 31 = 5161.290322580645.. -> 5161.2903225806 (the two add up to 10000)
    # MC1 (Jan 10, 12000) counts under P_MARG, attainment 12000 / 4838.7096774194 = 2.48:
    #   [0, 0.5)  : 0.1 x 0.5 x 2419.3548387097 = 120.9677419354|85 -> 120.9677419355
    #   [0.5, 1.0): 0.1 x 1.0 x 2419.3548387097 = 241.9354838709|7  -> 241.9354838710
    #   [1.0, ..) : 0.1 x 1.5 x (12000 - 4838.7096774194 = 7161.2903225806) = 1074.1935483870|9 -> 1074.1935483871
    #   total 120.9677419355 + 241.9354838710 + 1074.1935483871 = 1437.0967741936
    # MC2 (Jan 20, 5000) under P_CAP: flat 10% x 5000 = 500 (below the cap 0.1 x 12000 = 1200)
    rows = query(
        warehouse,
        """
        select plan_id, credit_amount, quota_to_date, exact_commission_amount, commission_amount from fct_commission
        where employee_id = 'E111' order by 1
        """,
    )
    # commission_amount is the exact amount rounded once to the cent (the plan year's first line)
    assert rows == [
        ("P_CAP", D("5000"), D("5161.2903225806"), D("500"), D("500.00")),
        ("P_MARG", D("12000"), D("4838.7096774194"), D("1437.0967741936"), D("1437.10")),
    ]
    assert rows[0][2] + rows[1][2] == D("10000")
    # what is paid: one line per plan, each rounded once to the cent (half away from zero)
    lines = query(
        warehouse,
        "select plan_id, payable_amount from fct_payable where employee_id = 'E111' and period = '2026-01' order by 1",
    )
    assert [(plan, round_money(amount, "USD")) for plan, amount in lines] == [
        ("P_CAP", D("500.00")), ("P_MARG", D("1437.10")),
    ]


def test_plan_change_mid_month_with_a_mid_month_hire_and_unpaid_leave(warehouse):
    # E115 hired Jan 8 (days 8..31 = 24), unpaid leave Jan 25-27 (3 days): 21 eligible days of 31.
    # fct_quota: 10000 x 21 / 31 = 6774.193548387.. -> 6774.1935483871
    # P_MARG Jan 8-20: 13 eligible days -> 10000 x 13 / 31 = 4193.548387096774.. -> 4193.5483870968
    # P_CAP  Jan 21-31: 11 days - 3 on leave = 8 -> 10000 x 8 / 31 = 2580.645161290322.. -> 2580.6451612903
    # (4193.5483870968 + 2580.6451612903 = 6774.1935483871: the plans share the prorated quota by days)
    # PD1 (Jan 12, 6000) under P_MARG:
    #   [0, 0.5)  : 0.1 x 0.5 x 2096.7741935484 = 104.8387096774|2 -> 104.8387096774
    #   [0.5, 1.0): 0.1 x 1.0 x 2096.7741935484 = 209.6774193548|4 -> 209.6774193548
    #   [1.0, ..) : 0.1 x 1.5 x (6000 - 4193.5483870968 = 1806.4516129032) = 270.9677419354|8 -> 270.9677419355
    #   total 585.4838709677
    quota = query(warehouse, "select eligible_days, monthly_quota from fct_quota where employee_id = 'E115' and period = '2026-01'")
    assert quota == [(21, D("6774.1935483871"))]
    plan_quotas = query(
        warehouse,
        """
        select plan_id, plan_eligible_days, plan_quota from int_quota_months_by_plan
        where employee_id = 'E115' and period = '2026-01' order by 1
        """,
    )
    assert plan_quotas == [("P_CAP", 8, D("2580.6451612903")), ("P_MARG", 13, D("4193.5483870968"))]
    # paid rounded to the cent: 585.48
    assert commission(warehouse, "E115") == {"2026-01": D("585.48")}
    assert query(warehouse, "select exact_commission_amount from fct_commission where employee_id = 'E115'") == [
        (D("585.4838709677"),)
    ]


def test_job_family_not_eligible_for_the_plan_is_not_paid_and_is_reported(warehouse):
    # P_ELIG is for Account Executive only. E116 is Sales Development until 2026-02-14 (job_history; the
    # 2026-01-10 row names no job family and keeps Sales Development, one ineligible run), AE from Feb 15. EL1 (Jan 20) and EL2 (Feb 10) fall in the ineligible days: no commission (no_plan_assignment).
    # EL3 (Feb 20, 3000) is paid; P_ELIG's February quota is its 14 days (Feb 15-28): 10000 x 14 / 28 = 5000:
    # attainment 0.6 -> 0.1 x (0.5 x 2500 + 1.0 x 500) = 125 + 50 = 175
    rows = query(
        warehouse,
        "select period, credit_amount, quota_to_date, commission_amount from fct_commission where employee_id = 'E116'",
    )
    assert rows == [("2026-02", D("3000"), D("5000"), D("175"))]
    quarantined = query(
        warehouse,
        """
        select dataset, column_name, value, message, record_json from fct_quarantine
        where rule = 'plan_assignment_job_family_not_eligible'
        """,
    )
    assert len(quarantined) == 1
    dataset, column, value, message, record = quarantined[0]
    assert (dataset, column, value) == ("plan_assignments", "job_family", "Sales Development 2026-01-01..2026-02-14")
    assert "E116" in message and "P_ELIG" in message and "Account Executive" in message
    assert json.loads(record) == {
        "employee_id": "E116", "plan_id": "P_ELIG", "job_family": "Sales Development", "start_date": "2026-01-01",
        "end_date": None, "ineligible_from": "2026-01-01", "ineligible_to": "2026-02-14",
    }
    no_plan = query(
        warehouse,
        "select value from fct_quarantine where rule = 'no_plan_assignment' and message like '%E116%' order by 1",
    )
    assert no_plan == [("2026-01-20",), ("2026-02-10",)]


def test_recoverable_draw_is_recovered_from_later_earnings(warehouse):
    # draw 1000 for Jan-Mar, flat 10%:
    # Jan earns 300: paid 1000 (draw 700), balance -700
    # Feb earns 1200: available 500, paid 1000 (draw 500), balance -500
    # Mar earns 0: available -500, paid 1000 (draw 1000), balance -1500
    # Apr earns 600, May 500: paid 0, balance -900, -400; Jun earns 1000: paid 600, balance 0
    assert balances(warehouse, "E108") == [
        ("2026-01", D("300"), D("700"), D("1000"), D("-700")),
        ("2026-02", D("1200"), D("500"), D("1000"), D("-500")),
        ("2026-03", D("0"), D("1000"), D("1000"), D("-1500")),
        ("2026-04", D("600"), D("0"), D("0"), D("-900")),
        ("2026-05", D("500"), D("0"), D("0"), D("-400")),
        ("2026-06", D("1000"), D("0"), D("600"), D("0")),
    ]
    recovery = query(
        warehouse,
        """
        select period, payable_amount from fct_payable
        where employee_id = 'E108' and earning_code = 'DRAW_RECOVERY' order by 1
        """,
    )
    # Feb's 1200 first repays Jan's 700, then the draw tops up 500 (a new advance);
    # drawn 700 + 500 + 1000 = 2200 = recovered 700 + 600 + 500 + 400
    assert recovery == [("2026-02", D("-700")), ("2026-04", D("-600")), ("2026-05", D("-500")), ("2026-06", D("-400"))]


def test_non_recoverable_draw_shortfall_is_forgiven(warehouse):
    # Jan earns 300: paid 1000 (draw 700, forgiven); Feb 1200: paid 1200; Mar 0: paid 1000 (draw);
    # Apr 600: paid 600 (nothing to recover)
    assert balances(warehouse, "E109", "2026-04") == [
        ("2026-01", D("300"), D("700"), D("1000"), D("0")),
        ("2026-02", D("1200"), D("0"), D("1200"), D("0")),
        ("2026-03", D("0"), D("1000"), D("1000"), D("0")),
        ("2026-04", D("600"), D("0"), D("600"), D("0")),
    ]


def test_payable_lines_add_up_to_the_payee_payable(warehouse):
    rows = query(
        warehouse,
        """
        select b.employee_id, b.period, b.payable_amount, coalesce(sum(l.payable_amount), 0)
        from fct_payee_balance as b
        left join fct_payable as l on b.employee_id = l.employee_id and b.period = l.period
        group by 1, 2, 3
        having b.payable_amount <> coalesce(sum(l.payable_amount), 0)
        """,
    )
    assert rows == []


def test_commission_detail_re_adds_to_every_commission_amount(warehouse):
    assert commission_detail_mismatches(warehouse) == []


def test_commission_detail_shows_the_bands_crossed(warehouse):
    # E101 January: BCR 0.1, C 12000, Q 10000
    rows = query(
        warehouse,
        """
        select attainment_from, attainment_to, multiplier, bcr, amount, earnings_contribution
        from fct_commission_detail
        where employee_id = 'E101' and period = '2026-01' and detail_type = 'band' order by tier_index
        """,
    )
    assert rows == [
        (D("0"), D("0.5"), D("0.5"), D("0.1"), D("5000"), D("250")),     # 0.1 x 0.5 x 5000
        (D("0.5"), D("1.0"), D("1.0"), D("0.1"), D("5000"), D("500")),   # 0.1 x 1.0 x 5000
        (D("1.0"), None, D("1.5"), D("0.1"), D("2000"), D("300")),       # 0.1 x 1.5 x 2000
    ]
    deals = query(
        warehouse,
        """
        select opportunity_id, amount from fct_commission_detail
        where employee_id = 'E101' and period = '2026-01' and detail_type = 'credit'
        """,
    )
    assert deals == [("M1", D("12000"))]
