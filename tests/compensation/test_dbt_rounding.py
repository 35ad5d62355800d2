"""SPEC §5 rounding, in the warehouse: each period pays round(cumulative now) - round(cumulative
before), so the lines of a plan year add up to the rounded plan-year earning (docs/ledger.md).

Payee E201 on P_CAP (flat 10 % of own credit, capped at 0.1 x TI 12,000 = 1,200, not reached):
deals of 1,000.05 in January, February and March. Each month earns 100.005 exactly.

    cumulative   100.005   200.010   300.015
    rounded      100.01    200.01    300.02
    line         100.01    100.00    100.01    -> the quarter pays 300.02 = round(300.015)

Rounding each month's 100.005 on its own would pay 100.01 three times: 300.03, a cent more
than was earned.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from core.money import round_money
from tests.support.earnings import build_earnings_company
from tests.support.warehouse import build_warehouse, query

pytestmark = pytest.mark.slow  # builds a dbt warehouse

D = Decimal

DEALS = {"E201": [("RD1", "1000.05", "2026-01-10", "New Business"), ("RD2", "1000.05", "2026-02-10", "New Business"),
                  ("RD3", "1000.05", "2026-03-10", "New Business")]}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    warehouse, _ = build_warehouse(
        tmp_path_factory.mktemp("dbt_rounding"),
        lambda raw: build_earnings_company(raw, extra_deals=DEALS, extra_plan_of={"E201": "P_CAP"}),
        # the models only: this module checks hand-computed lines; the earnings company runs every
        # data test once per session (test_dbt_earnings.py, shared_warehouse)
        data_tests=False,
    )
    return warehouse


def test_each_period_pays_the_change_of_the_rounded_cumulative(warehouse):
    rows = query(
        warehouse,
        "select period, exact_commission_amount, commission_amount from fct_commission "
        "where employee_id = 'E201' order by period",
    )
    assert rows == [
        ("2026-01", D("100.005"), D("100.01")),
        ("2026-02", D("100.005"), D("100.00")),
        ("2026-03", D("100.005"), D("100.01")),
    ]
    # what the payout lines pay adds up to the rounded cumulative of the year
    assert query(warehouse, "select sum(payable_amount) from fct_payable where employee_id = 'E201'") == [(D("300.02"),)]


def test_the_commission_detail_shows_the_rounding_and_re_adds_to_the_line(warehouse):
    rows = query(
        warehouse,
        "select period, earnings_contribution from fct_commission_detail "
        "where employee_id = 'E201' and detail_type = 'rounding' order by period",
    )
    # 100.01 - 100.005 and 100.00 - 100.005 and 100.01 - 100.005
    assert rows == [("2026-01", D("0.005")), ("2026-02", D("-0.005")), ("2026-03", D("0.005"))]
    totals = query(
        warehouse,
        "select period, sum(earnings_contribution) from fct_commission_detail where employee_id = 'E201' "
        "group by 1 order by 1",
    )
    assert totals == [("2026-01", D("100.01")), ("2026-02", D("100.00")), ("2026-03", D("100.01"))]


def test_file_lines_sum_fct_payout_line_and_round_once(warehouse):
    # E201: 100.005 a month, paid 100.01, 100.00, 100.01 (telescoping), on the 15th of the next month or
    # the Friday before (2026-02-15 and 2026-03-15 are Sundays)
    assert query(warehouse, "select period, earning_code, amount, is_paid, pay_date, plan_id from fct_payout_file_line "
                            "where employee_id = 'E201' order by period") == [
        ("2026-01", "COMMISSION", D("100.01"), True, date(2026, 2, 13), "P_CAP"),
        ("2026-02", "COMMISSION", D("100.00"), True, date(2026, 3, 13), "P_CAP"),
        ("2026-03", "COMMISSION", D("100.01"), True, date(2026, 4, 15), "P_CAP"),
    ]
    lines = query(warehouse, "select period, employee_id, earning_code, currency, sum(amount), count(*), "
                             "string_agg(plan_id, '+') from fct_payout_line group by all")
    file_lines = {
        (p, e, c, cur): (exact, amount, paid, n, plan)
        for p, e, c, cur, exact, amount, paid, n, plan in query(
            warehouse, "select period, employee_id, earning_code, currency, exact_amount, amount, is_paid, "
                       "source_line_count, plan_id from fct_payout_file_line")
    }
    assert len(file_lines) == len(lines)
    for period, employee_id, code, currency, exact, count, plans in lines:
        got_exact, amount, paid, n, plan = file_lines[(period, employee_id, code, currency)]
        assert (got_exact, n) == (exact, count)
        assert amount == round_money(exact, currency) and paid == (amount != 0)
        assert plan == "+".join(sorted(set(plans.split("+"))))
