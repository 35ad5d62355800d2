"""Quota (SPEC §4) and crediting (SPEC §3.4, §3.5) on the small company plus
``tests/support/quota.py``: seasonality, ramp, proration, quarter and year
sums, manager roll-up and product-family credit, each to the 10th decimal with
the arithmetic beside it.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.support.quota import build_quota_company
from tests.support.warehouse import build_warehouse, divide_money, query

pytestmark = pytest.mark.slow  # builds a dbt warehouse

D = Decimal


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    # the models only: this module checks hand-computed numbers; the small company's data tests
    # run in tests/compensation/test_dbt_build.py (tests/support/warehouse.py, MODELS_ONLY)
    warehouse, _ = build_warehouse(tmp_path_factory.mktemp("dbt_quota"), build_quota_company, data_tests=False)
    return warehouse


def quota_rows(warehouse: Path, employee_id: str) -> dict[str, tuple]:
    rows = query(
        warehouse,
        """
        select period, seasonality_weight, employment_month, ramp_factor, eligible_days, days_in_month,
               full_monthly_quota, monthly_quota, quota_qtd, quota_quarter, quota_ytd
        from fct_quota where employee_id = ? order by period
        """,
        [employee_id],
    )
    return {r[0]: r[1:] for r in rows}


# ---------------------------------------------------------------- quota (SPEC §4)


def test_seasonality_ramp_and_proration_for_a_mid_month_hire(warehouse):
    q = quota_rows(warehouse, "E005")
    # Before the hire (2026-04-16): 0 eligible days, quota 0, row kept.
    for period in ("2026-01", "2026-02", "2026-03"):
        assert q[period][3] == 0 and q[period][6] == D(0)
    # April: 120000 * 0.10 = 12000; ramp month 1 = 0.25; hired on the 16th of a
    # 30-day month: 15/30 eligible. 12000 * 0.25 * 15 / 30 = 1500.
    assert q["2026-04"][:7] == (D("0.1"), 1, D("0.25"), 15, 30, D(12000), D(1500))
    # May: 12000 * 0.5 = 6000; June: 12000 * 0.75 = 9000; July: ramp over, 120000 * 0.05 = 6000.
    assert q["2026-05"][1:3] == (2, D("0.5")) and q["2026-05"][6] == D(6000)
    assert q["2026-06"][1:3] == (3, D("0.75")) and q["2026-06"][6] == D(9000)
    assert q["2026-07"][1:3] == (4, D(1)) and q["2026-07"][6] == D(6000)
    # August: 10 days of unpaid leave (10th-19th) out of 31: 6000 * 21 / 31 = 4064.516129032258...
    assert q["2026-08"][3:7] == (21, 31, D(6000), D("4064.5161290323"))
    assert q["2026-08"][6] == divide_money(D(6000) * 21, 31)
    # September: paid leave is eligible: 120000 * 0.10 = 12000, all 30 days.
    assert q["2026-09"][3:7] == (30, 30, D(12000), D(12000))


def test_quarter_and_year_to_date_quotas_are_sums_of_the_monthly_ones(warehouse):
    q = quota_rows(warehouse, "E005")
    # Q2 = 1500 + 6000 + 9000 = 16500; quarter to date at May = 1500 + 6000.
    assert [q[p][7] for p in ("2026-04", "2026-05", "2026-06")] == [D(1500), D(7500), D(16500)]
    assert {q[p][8] for p in ("2026-04", "2026-05", "2026-06")} == {D(16500)}
    # Q3 to date at August = 6000 + 4064.5161290323; year to date = 16500 + 10064.5161290323.
    assert q["2026-08"][7] == D("10064.5161290323")
    assert q["2026-08"][9] == D("26564.5161290323")
    # The full (unramped, unprorated) seasonal quotas add up to the annual quota.
    assert sum(r[5] for r in q.values()) == D(120000)


def test_termination_mid_month_prorates_and_ends_the_quota(warehouse):
    q = quota_rows(warehouse, "E006")
    # 36000 / 12 = 3000 a month; terminated 2026-03-10: 10/31 of March = 967.741935483870...
    assert q["2026-01"][6] == D(3000) and q["2026-02"][6] == D(3000)
    assert q["2026-03"][3:7] == (10, 31, D(3000), D("967.7419354839"))
    assert q["2026-03"][9] == D("6967.7419354839")  # 3000 + 3000 + 967.7419354839
    assert q["2026-03"][8] == D("6967.7419354839")  # Q1 is the whole quarter
    assert all(q[p][6] == D(0) and q[p][3] == 0 for p in q if p >= "2026-04")
    assert q["2026-12"][9] == D("6967.7419354839")


def test_attainment_quarter_to_date_and_zero_quota_months(warehouse):
    rows = query(
        warehouse,
        """
        select period, credit_qtd, quota_qtd, attainment_qtd, attainment_period
        from fct_attainment where employee_id = ? order by period
        """,
        ["E001"],
    )
    a = {r[0]: r[1:] for r in rows}
    # E001: January own credit 13500 (O1 10000 + O8 3000 + half of O12 500), February O2.
    feb = D("534792.2417153996")
    assert a["2026-02"][:3] == (D(13500) + feb, D(20000), divide_money(D(13500) + feb, D(20000)))
    assert a["2026-04"][:3] == (D(0), D(10000), D(0))
    erin = {r[0]: r[1:] for r in query(
        warehouse, "select period, credit_qtd, quota_qtd, attainment_qtd, attainment_period "
        "from fct_attainment where employee_id = 'E005' order by period")}
    assert erin["2026-01"] == (D(0), D(0), None, None)  # before the hire: quota 0, attainment null
    ((quota_rows_count, attainment_rows_count),) = query(
        warehouse, "select (select count(*) from fct_quota), (select count(*) from fct_attainment)")
    assert quota_rows_count == attainment_rows_count == 60  # 5 usable quotas x 12 months


# ---------------------------------------------------------------- roll-up (SPEC §3.4)

EUR_JAN, EUR_FEB, GBP = D("0.92"), D("0.9234"), D("0.79")


def rollup_rows(warehouse: Path) -> dict[tuple[str, str, str], tuple]:
    rows = query(
        warehouse,
        """
        select opportunity_id, employee_id, credited_from_employee_id, rollup_level, credit_amount, payee_currency
        from fct_credit where credit_type = 'rollup'
        """,
    )
    return {(o, e, f): (level, amount, currency) for o, e, f, level, amount, currency in rows}


def test_rollup_follows_the_manager_chain_as_of_the_credit_date(warehouse):
    r = rollup_rows(warehouse)
    # O1 (2026-01-20, 10000 USD, Alice E001): Alice reported to Carol E003 until
    # 2026-01-31; Carol reports to Grace E007 (EUR): 10000 * 0.92 / 1 = 9200.
    assert r[("O1", "E003", "E001")] == (1, D(10000), "USD")
    assert r[("O1", "E007", "E001")] == (2, D(9200), "EUR")
    assert ("O1", "E008", "E001") not in r
    # O2 (2026-02-10, EUR): Alice's 40% = 493827.156 EUR now rolls up to Hank E008
    # (GBP): 493827.156 * 0.79 / 0.9234 = 390123.45324 / 0.9234 = 422485.87095516.. and to Grace (EUR, no conversion).
    alice_o2 = divide_money(D("1234567.89") * 40, 100)
    assert alice_o2 == D("493827.156")
    assert r[("O2", "E008", "E001")] == (1, divide_money(alice_o2 * GBP, EUR_FEB), "GBP")
    assert r[("O2", "E008", "E001")][1] == D("422485.8709551657")
    assert r[("O2", "E007", "E001")] == (2, alice_o2, "EUR")
    assert ("O2", "E003", "E001") not in r  # the credit after the change is not the old manager's
    # Bob E002 (no job history) still reports to Carol: 740740.734 EUR / 0.9234 USD.
    assert r[("O2", "E003", "E002")] == (1, divide_money(D("740740.734"), EUR_FEB), "USD")
    assert r[("O2", "E007", "E002")] == (2, D("740740.734"), "EUR")
    # Carol's own credit rolls up too: O10 12000 USD on 2026-02-25 -> 12000 * 0.9234 EUR.
    assert r[("O10", "E007", "E003")] == (1, D("11080.8"), "EUR")
    # O12: Grace gets Alice's half via Carol (level 2) and Carol's half (level 1): 500 * 0.92 each.
    assert r[("O12", "E007", "E001")] == (2, D(460), "EUR")
    assert r[("O12", "E007", "E003")] == (1, D(460), "EUR")
    # Grace has no manager: nothing above her.
    assert not any(f == "E007" for (_, _, f) in r)


def test_rollup_does_not_change_own_credit_or_attainment(warehouse):
    ((own,),) = query(warehouse, "select count(*) from fct_credit where credit_type in ('owner', 'split')")
    assert own == 12  # the small company's 9; O21, O22 and O23 of Finn
    ((carol_jan,),) = query(
        warehouse, "select credit_period from fct_attainment where employee_id = 'E003' and period = '2026-01'")
    assert carol_jan == D(500)  # her own half of O12; roll-up credit is not own credit


# ---------------------------------------------------------------- product families (SPEC §3.5)


def test_credit_by_product_family_shares_and_units(warehouse):
    rows = query(
        warehouse,
        """
        select opportunity_id, employee_id, credit_type, credited_from_employee_id, product_family,
               family_share, credit_amount, units
        from fct_credit_by_product_family
        """,
    )
    f = {(o, e, t, src, fam): (share, amount, units) for o, e, t, src, fam, share, amount, units in rows}
    # O1: line items Software 5000 + 1500 = 6500 (3 units), Services 2500 (10 units), total 9000.
    # Services (first by name): 10000 * 2500 / 9000 = 2777.777...; Software: 10000 - 2777.7777777778.
    assert f[("O1", "E001", "owner", "E001", "Services")] == (D("0.2777777778"), D("2777.7777777778"), D(10))
    assert f[("O1", "E001", "owner", "E001", "Software")] == (D("0.7222222222"), D("7222.2222222222"), D(3))
    # Grace's roll-up of O1 is 9200 EUR: 9200 * 2500 / 9000 = 2555.555...; 9200 - 2555.5555555556.
    assert f[("O1", "E007", "rollup", "E001", "Services")][1:] == (D("2555.5555555556"), D(10))
    assert f[("O1", "E007", "rollup", "E001", "Software")][1:] == (D("6644.4444444444"), D(3))
    # O2: one Services line of 7 units, split 60/40: units 4.2 and 2.8, the whole credit each.
    assert f[("O2", "E002", "split", "E002", "Services")] == (D(1), D("740740.734"), D("4.2"))
    assert f[("O2", "E001", "split", "E001", "Services")][2] == D("2.8")
    # O10 has no line items: one row, family null, the whole credit, no units.
    assert f[("O10", "E003", "owner", "E003", None)] == (D(1), D(12000), None)
    # Summed over families, every credit is exactly the fct_credit row.
    ((mismatches,),) = query(
        warehouse,
        """
        select count(*) from fct_credit c
        left join (
            select opportunity_id, employee_id, credit_type, credited_from_employee_id, sum(credit_amount) as total
            from fct_credit_by_product_family group by 1, 2, 3, 4
        ) f using (opportunity_id, employee_id, credit_type, credited_from_employee_id)
        where f.total is distinct from c.credit_amount
        """,
    )
    assert mismatches == 0


# ---------------------------------------------------------------- clawback (SPEC §5, crediting side)


def test_clawback_inside_the_window_reverses_and_outside_it_the_credit_stands(warehouse):
    clawbacks = query(
        warehouse,
        "select opportunity_id, employee_id, original_close_date, original_credit_amount, reversed_credit_amount, "
        "change_date, reason, window_days from fct_clawback order by 1",
    )
    from datetime import date
    assert clawbacks == [
        # O20: closed 2026-01-10, lost 2026-02-01 (history) = 22 days <= 30: reversed.
        ("O20", "E006", date(2026, 1, 10), D(4000), D(4000), date(2026, 2, 1), "lost", 30),
        # O22: closed 2026-01-20, 6000 -> 5000 on 2026-02-10 = 21 days: 1000 reversed.
        ("O22", "E006", date(2026, 1, 20), D(6000), D(1000), date(2026, 2, 10), "amount_reduced", 30),
    ]
    reduced = query(
        warehouse,
        "select opportunity_id, credit_status, credit_amount from fct_credit "
        "where opportunity_id in ('O22', 'O23') and credit_type = 'owner' order by 1",
    )
    # O23: closed 2026-01-02, 8000 -> 7000 in batch 2026-03-02 = 59 days > 30: the 8000 stands.
    assert reduced == [("O22", "current", D(5000)), ("O23", "standing_after_window", D(8000))]
    credits = query(
        warehouse,
        "select opportunity_id, employee_id, credit_type, credit_status, credit_amount from fct_credit "
        "where opportunity_id in ('O20', 'O21', 'O7') order by employee_id",
    )
    # O21: closed 2026-01-05, deleted in batch 2026-03-02 = 56 days > 30: the 2500 stands,
    # and rolls up to Finn's manager Carol and her manager Grace (2500 * 0.92 EUR in January).
    # O7 (Alice, PLAN_AE has no window) was deleted: no credit, no clawback row.
    assert credits == [
        ("O21", "E003", "rollup", "standing_after_window", D(2500)),
        ("O21", "E006", "owner", "standing_after_window", D(2500)),
        ("O21", "E007", "rollup", "standing_after_window", D(2300)),
    ]
