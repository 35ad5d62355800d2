"""Finance journals (docs/journals.md) on a hand-checkable company (tests/support/journals.py).

Flat 10% commission in the close month; every payee in its own currency:
J1 USD CC-EAST (N1 New Business 10,000 -> 1,000.00; R1 Renewal 5,000 -> 500.00; N2 Feb 3,333.33 -> 333.333),
J2 EUR CC-WEST (N3 1,234.56 -> 123.456), J3 JPY CC-EAST (N4 100,005 -> 10,000.5),
J4 USD CC-WEST (N5 10.00 -> 1.00), J5 USD CC-WEST (N6 3,000 -> 300.00, recoverable draw 1,000 for 3 months),
J6 USD CC-NORTH (marginal tiers: T1 New Business 3,000, T2 Renewal 2,000, T3 New Business 2,000 -> 450.00 together).
Default accounts: 6100 Commission expense, 2150 Accrued commissions, 1350 Commission advances,
2190 Payroll clearing, 1450 Capitalized contract costs, 6150 Amortization of contract costs.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from assets.finance.journals import (
    JOURNAL_COLUMNS,
    JournalError,
    JournalLine,
    check_lines,
    read_journal_lines,
    write_journals,
)
from tests.support.journals import build_journal_company
from tests.support.warehouse import build_warehouse, query, run_dbt
from tests.support.warehouse import env_without_spm as _env_without_spm

D = Decimal


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("dbt_journals")
    warehouse, _ = build_warehouse(tmp, build_journal_company)  # every dbt test passes, incl. the balance tests
    return tmp, warehouse


@pytest.fixture(scope="module")
def warehouse(built) -> Path:
    return built[1]


def rebuild_finance(built, tmp_path: Path, env_extra: dict[str, str], *extra: str) -> Path:
    """A copy of the warehouse with the finance models (and their tests) rebuilt under other settings."""
    tmp, warehouse = built
    copy = tmp_path / "spm.duckdb"
    shutil.copyfile(warehouse, copy)
    env = _env_without_spm() | {"SPM_RAW_DIR": str(tmp / "raw"), "SPM_WAREHOUSE": str(copy)} | env_extra
    completed = run_dbt("build", tmp_path, env, "--select", "int_journal_accrual_lines+", "int_commission_allocated_to_deals+", *extra)
    assert completed.returncode == 0, completed.stdout[-5000:]
    return copy


def journal(warehouse: Path, journal_id: str, currency: str | None = None) -> list[tuple]:
    return query(
        warehouse,
        """
        select posting_date, period, cost_center, account_number, currency, debit, credit
        from fct_journal_line where journal_id = ? and (? is null or currency = ?)
        order by line_number
        """,
        [journal_id, currency, currency],
    )


def schedule(warehouse: Path, contract_cost_id: str) -> list[tuple]:
    return query(
        warehouse,
        """
        select month_number, period, opening_balance, amortization_amount, closing_balance
        from fct_contract_cost_amortization where contract_cost_id = ? order by month_number
        """,
        [contract_cost_id],
    )


# ---------------------------------------------------------------- accrual


@pytest.mark.slow
def test_accrual_and_its_reversal_on_the_pay_date_for_a_payee(warehouse):
    # J1 (USD, CC-EAST, alone in that cost center and currency): January earns N1 1,000.00 + R1 500.00 = 1,500.00,
    # paid on 2026-02-13 (the 15th is a Sunday: the Friday before). Month-end 2026-01-31:
    # Dr 6100 1,500.00 / Cr 2150 1,500.00; pay date 2026-02-13 (period 2026-02): Dr 2150 1,500.00 / Cr 2190 1,500.00.
    east = [line for line in journal(warehouse, "ACCRUAL-2026-01", "USD") if line[2] == "CC-EAST"]
    assert east == [
        (date(2026, 1, 31), "2026-01", "CC-EAST", "6100", "USD", D("1500.00"), D("0")),
        (date(2026, 1, 31), "2026-01", "CC-EAST", "2150", "USD", D("0"), D("1500.00")),
    ]
    settled = [line for line in journal(warehouse, "ACCRUAL_REVERSAL-2026-01-PAY-2026-02-13", "USD") if line[2] == "CC-EAST"]
    assert settled == [
        (date(2026, 2, 13), "2026-02", "CC-EAST", "2150", "USD", D("1500.00"), D("0")),
        (date(2026, 2, 13), "2026-02", "CC-EAST", "2190", "USD", D("0"), D("1500.00")),
    ]
    # February: N2 3,333.33 x 0.1 = 333.333 -> 333.33, settled 2026-03-13 (the 15th is a Sunday); J1 moved to CC-SOUTH on 2026-02-05
    assert [line for line in journal(warehouse, "ACCRUAL-2026-02", "USD") if line[2] == "CC-SOUTH"] == [
        (date(2026, 2, 28), "2026-02", "CC-SOUTH", "6100", "USD", D("333.33"), D("0")),
        (date(2026, 2, 28), "2026-02", "CC-SOUTH", "2150", "USD", D("0"), D("333.33")),
    ]
    assert journal(warehouse, "ACCRUAL_REVERSAL-2026-02-PAY-2026-03-13", "USD")[0][:2] == (date(2026, 3, 13), "2026-03")


@pytest.mark.slow
def test_accrual_rounds_each_payout_line_once_to_the_minor_unit(warehouse):
    # EUR: 1,234.56 x 0.1 = 123.456 -> 123.46; JPY (0 decimals): 100,005 x 0.1 = 10,000.5 -> 10,001
    # (half away from zero, as the payout extract rounds the same line)
    assert journal(warehouse, "ACCRUAL-2026-01", "EUR") == [
        (date(2026, 1, 31), "2026-01", "CC-WEST", "6100", "EUR", D("123.46"), D("0")),
        (date(2026, 1, 31), "2026-01", "CC-WEST", "2150", "EUR", D("0"), D("123.46")),
    ]
    assert journal(warehouse, "ACCRUAL-2026-01", "JPY") == [
        (date(2026, 1, 31), "2026-01", "CC-EAST", "6100", "JPY", D("10001"), D("0")),
        (date(2026, 1, 31), "2026-01", "CC-EAST", "2150", "JPY", D("0"), D("10001")),
    ]


@pytest.mark.slow
def test_a_recoverable_draw_is_accrued_as_an_advance(warehouse):
    # CC-WEST USD, January: J4 commission 1.00, J5 commission 300.00 and DRAW 1,000 - 300 = 700.00
    # (recoverable: an advance, account 1350); Accrued commissions = 1.00 + 300.00 + 700.00 = 1,001.00.
    # February: J5 earns nothing, DRAW 1,000.00 -> Dr 1350 1,000.00 / Cr 2150 1,000.00.
    west = [line[3:] for line in journal(warehouse, "ACCRUAL-2026-01", "USD") if line[2] == "CC-WEST"]
    assert west == [("1350", "USD", D("700.00"), D("0")), ("6100", "USD", D("301.00"), D("0")),
                    ("2150", "USD", D("0"), D("1001.00"))]
    west = [line[3:] for line in journal(warehouse, "ACCRUAL-2026-02", "USD") if line[2] == "CC-WEST"]
    assert west == [("1350", "USD", D("1000.00"), D("0")), ("2150", "USD", D("0"), D("1000.00"))]


@pytest.mark.slow
def test_pay_date_is_the_payout_extracts_default(warehouse):
    # one rule (the pay calendar): the accrual settles on the payout file's pay date, the 15th of the
    # next month or the business day before it (2026-02-15 is a Sunday)
    rows = query(warehouse, "select distinct period, pay_date from int_journal_accrual_lines order by period")
    assert rows and ("2026-01", date(2026, 2, 13)) in rows
    file_dates = dict(query(warehouse, "select distinct period, pay_date from fct_payout_file_line"))
    assert all(file_dates.get(period, pay_date) == pay_date for period, pay_date in rows)


@pytest.mark.slow
def test_accrued_commissions_equal_the_rounded_payout_lines(warehouse):
    # the accrual credits exactly what the payout extract pays: each payee x code line rounded once
    from core.money import round_money

    payable = query(
        warehouse,
        "select period, currency, employee_id, earning_code, sum(payable_amount) from fct_payable group by all",
    )
    expected: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for period, currency, _, _, amount in payable:
        expected[(period, currency)] += round_money(amount, currency)
    accrued = query(
        warehouse,
        """
        select source_period, currency, sum(credit - debit) from fct_journal_line
        where journal_type = 'ACCRUAL' and account_number = '2150' group by all
        """,
    )
    assert {k: v for k, v in expected.items() if v} == {(p, c): v for p, c, v in accrued}


# ---------------------------------------------------------------- ASC 340-40


@pytest.mark.slow
def test_new_business_commission_is_capitalized_and_renewals_are_not(warehouse):
    # deal by deal: R1 (Renewal) is not a capitalization candidate; a deal alone in its commission
    # line carries that line as paid (rounded to the minor unit: 333.333 -> 333.33, 123.456 -> 123.46,
    # JPY 10,000.5 -> 10,001)
    assert query(warehouse, "select opportunity_id, contract_cost_id, commission_amount from fct_contract_cost_deal "
                            "order by 1") == [
        ("N1", "J1|2026-01", D("1000")), ("N2", "J1|2026-02", D("333.33")), ("N3", "J2|2026-01", D("123.46")),
        ("N4", "J3|2026-01", D("10001")), ("N5", "J4|2026-01", D("1")), ("N6", "J5|2026-01", D("300")),
        ("T1", "J6|2026-01", D("192.8571428571")), ("T3", "J6|2026-01", D("128.5714285714")),
    ]
    rows = query(
        warehouse,
        "select contract_cost_id, deal_count, treatment, capitalized_amount, amortization_start_period, "
        "amortization_end_period from fct_contract_cost order by 1",
    )
    # rounded once per payee and close month: 333.333 -> 333.33, 123.456 -> 123.46, JPY 10,000.5 -> 10,001
    assert rows == [
        ("J1|2026-01", 1, "capitalized", D("1000.00"), "2026-02", "2029-01"),
        ("J1|2026-02", 1, "capitalized", D("333.33"), "2026-03", "2029-02"),
        ("J2|2026-01", 1, "capitalized", D("123.46"), "2026-02", "2029-01"),
        ("J3|2026-01", 1, "capitalized", D("10001"), "2026-02", "2029-01"),
        ("J4|2026-01", 1, "capitalized", D("1.00"), "2026-02", "2029-01"),
        ("J5|2026-01", 1, "capitalized", D("300.00"), "2026-02", "2029-01"),
        ("J6|2026-01", 2, "capitalized", D("321.43"), "2026-02", "2029-01"),
    ]
    # CAPITALIZATION-2026-01, USD: CC-EAST N1 1,000.00; CC-WEST N5 1.00 + N6 300.00 = 301.00 (the draw is not)
    assert [line[2:] for line in journal(warehouse, "CAPITALIZATION-2026-01", "USD")] == [
        ("CC-EAST", "1450", "USD", D("1000.00"), D("0")),
        ("CC-EAST", "6100", "USD", D("0"), D("1000.00")),
        ("CC-NORTH", "1450", "USD", D("321.43"), D("0")),
        ("CC-NORTH", "6100", "USD", D("0"), D("321.43")),
        ("CC-WEST", "1450", "USD", D("301.00"), D("0")),
        ("CC-WEST", "6100", "USD", D("0"), D("301.00")),
    ]


@pytest.mark.slow
def test_a_tiered_commission_is_shared_among_its_deals_by_cumulative_rounding(warehouse):
    # J6, January: 450.00 shared pro rata to credit 3,000 / 2,000 / 2,000 (total 7,000), in deal id order:
    #   T1 = 450 x 3,000 / 7,000 = 192.8571428571 (10th decimal)
    #   T2 = 450 x 5,000 / 7,000 - T1 = 321.4285714286 - 192.8571428571 = 128.5714285715
    #   T3 = 450 - 321.4285714286 = 128.5714285714            (the three add up to 450 exactly)
    # T2 is a Renewal: capitalized T1 + T3 = 321.4285714285 -> 321.43
    assert query(warehouse, "select opportunity_id, allocated_amount from int_commission_allocated_to_deals "
                            "where employee_id = 'J6' order by 1") == [
        ("T1", D("192.8571428571")), ("T2", D("128.5714285715")), ("T3", D("128.5714285714")),
    ]
    assert [r[3] for r in schedule(warehouse, "J6|2026-01")] == [D("8.93")] * 35 + [D("8.88")]


@pytest.mark.slow
def test_36_month_amortization_puts_the_rounding_remainder_in_the_last_month(warehouse):
    # 1,000.00 / 36 = 27.777... -> 27.78 for months 1..35 (35 x 27.78 = 972.30); month 36: 1,000.00 - 972.30 = 27.70.
    # Month 1 is 2026-02 (the month after the January close), month 36 is 2029-01.
    rows = schedule(warehouse, "J1|2026-01")
    assert len(rows) == 36
    assert rows[0] == (1, "2026-02", D("1000.00"), D("27.78"), D("972.22"))
    assert rows[1] == (2, "2026-03", D("972.22"), D("27.78"), D("944.44"))
    assert all(r[3] == D("27.78") for r in rows[:35])
    assert rows[34] == (35, "2028-12", D("55.48"), D("27.78"), D("27.70"))
    assert rows[35] == (36, "2029-01", D("27.70"), D("27.70"), D("0"))
    assert sum(r[3] for r in rows) == D("1000.00")


@pytest.mark.slow
def test_amortization_in_other_minor_units_and_of_tiny_amounts_is_never_negative(warehouse):
    # JPY 10,001 / 36 = 277.81 -> 278 (35 x 278 = 9,730); last month 10,001 - 9,730 = 271
    jpy = schedule(warehouse, "J3|2026-01")
    assert [r[3] for r in jpy] == [D("278")] * 35 + [D("271")]
    # EUR 123.46 / 36 = 3.4294 -> 3.43 (35 x 3.43 = 120.05); last 3.41
    assert [r[3] for r in schedule(warehouse, "J2|2026-01")] == [D("3.43")] * 35 + [D("3.41")]
    # USD 1.00 / 36 = 0.0278 -> 0.03, but 35 x 0.03 = 1.05 > 1.00 would leave -0.05: cut down to 0.02
    # (35 x 0.02 = 0.70), last month 0.30
    assert [r[3] for r in schedule(warehouse, "J4|2026-01")] == [D("0.02")] * 35 + [D("0.30")]
    # AMORTIZATION-2026-02, USD CC-WEST: N5 0.02 + N6 (300.00 / 36 = 8.333 -> 8.33) = 8.35;
    # CC-NORTH: 321.43 / 36 = 8.9286 -> 8.93
    assert [line[2:] for line in journal(warehouse, "AMORTIZATION-2026-02", "USD")] == [
        ("CC-EAST", "6150", "USD", D("27.78"), D("0")),
        ("CC-EAST", "1450", "USD", D("0"), D("27.78")),
        ("CC-NORTH", "6150", "USD", D("8.93"), D("0")),
        ("CC-NORTH", "1450", "USD", D("0"), D("8.93")),
        ("CC-WEST", "6150", "USD", D("8.35"), D("0")),
        ("CC-WEST", "1450", "USD", D("0"), D("8.35")),
    ]
    # March adds N2 (333.33 / 36 = 9.259 -> 9.26), under CC-SOUTH, where J1 was when N2 closed
    march = [line[2:6] for line in journal(warehouse, "AMORTIZATION-2026-03", "USD") if line[3] == "6150"]
    assert march == [("CC-EAST", "6150", "USD", D("27.78")), ("CC-NORTH", "6150", "USD", D("8.93")),
                     ("CC-SOUTH", "6150", "USD", D("9.26")), ("CC-WEST", "6150", "USD", D("8.35"))]


@pytest.mark.slow
def test_a_payee_who_moves_cost_center_keeps_earlier_periods_under_the_old_one(warehouse):
    # J1 moves from CC-EAST to CC-SOUTH on 2026-02-05 (job_history); HR's current record says CC-SOUTH.
    from assets.payouts.warehouse import read_period_payouts

    assert query(warehouse, "select cost_center from dim_payee where employee_id = 'J1'") == [("CC-SOUTH",)]
    # as of each month's last day (dim_period starts in 2026-01, the plans' first month)
    assert query(warehouse, "select period, cost_center from int_payee_period_hr where employee_id = 'J1' "
                            "and period <= '2026-03' order by 1") == [
        ("2026-01", "CC-EAST"), ("2026-02", "CC-SOUTH"), ("2026-03", "CC-SOUTH"),
    ]
    # the payout file (and payroll, and the ledger's published lines) of each month
    for period, cost_center in (("2026-01", "CC-EAST"), ("2026-02", "CC-SOUTH")):
        rows = [r for r in read_period_payouts(warehouse, period).lines if r.employee_id == "J1"]
        assert rows and {r.cost_center for r in rows} == {cost_center}, period
    # the accrual: January's 1,500.00 (N1 1,000 + R1 500) under CC-EAST, February's 333.33 under CC-SOUTH
    assert query(warehouse, "select period, cost_center, sum(accrued_amount) from int_journal_accrual_lines "
                            "where employee_id = 'J1' group by all order by 1") == [
        ("2026-01", "CC-EAST", D("1500.00")), ("2026-02", "CC-SOUTH", D("333.33")),
    ]
    # ASC 340-40: each capitalization keeps its close month's cost center in every month of its schedule
    assert query(warehouse, "select c.contract_cost_id, c.cost_center, count(distinct a.cost_center), min(a.cost_center) "
                            "from fct_contract_cost as c join fct_contract_cost_amortization as a using (contract_cost_id) "
                            "where c.employee_id = 'J1' group by all order by 1") == [
        ("J1|2026-01", "CC-EAST", 1, "CC-EAST"), ("J1|2026-02", "CC-SOUTH", 1, "CC-SOUTH"),
    ]
    assert [line[2:6] for line in journal(warehouse, "CAPITALIZATION-2026-02", "USD")] == [
        ("CC-SOUTH", "1450", "USD", D("333.33")), ("CC-SOUTH", "6100", "USD", D("0")),
    ]


@pytest.mark.slow
def test_every_journal_balances_per_currency_and_cost_center(warehouse):
    unbalanced = query(
        warehouse,
        "select journal_id, currency, cost_center from fct_journal_line group by all having sum(debit) <> sum(credit)",
    )
    assert unbalanced == []
    assert query(warehouse, "select count(distinct journal_type) from fct_journal_line") == [(4,)]


@pytest.mark.slow
def test_a_benefit_period_of_12_months_or_less_is_expensed_immediately(built, tmp_path):
    # the practical expedient, set through the environment: nothing capitalized, no schedule, no
    # CAPITALIZATION / AMORTIZATION journals; the accrual (the expense) is unchanged
    copy = rebuild_finance(built, tmp_path, {"SPM_CAPITALIZATION_BENEFIT_MONTHS": "12"})
    assert query(copy, "select distinct treatment, capitalized_amount, benefit_months from fct_contract_cost") == [
        ("expensed_practical_expedient", D("0"), 12)
    ]
    assert query(copy, "select count(*) from fct_contract_cost_amortization") == [(0,)]
    assert query(copy, "select distinct journal_type from fct_journal_line order by 1") == [
        ("ACCRUAL",), ("ACCRUAL_REVERSAL",)
    ]
    assert journal(copy, "ACCRUAL-2026-01") == journal(built[1], "ACCRUAL-2026-01")


@pytest.mark.slow
def test_benefit_period_and_accounts_are_dbt_vars_that_win_over_the_environment(built, tmp_path):
    # --vars 13 months beats SPM_CAPITALIZATION_BENEFIT_MONTHS=12: 13 > 12 is capitalized;
    # 1,000.00 / 13 = 76.923 -> 76.92 (12 x 76.92 = 923.04), last month 2027-02: 76.96.
    # journal_accounts overrides only the commission expense number; its name stays the default.
    copy = rebuild_finance(
        built, tmp_path, {"SPM_CAPITALIZATION_BENEFIT_MONTHS": "12"},
        "--vars", '{capitalization_benefit_months: 13, journal_accounts: {commission_expense: {number: "60100"}}}',
    )
    rows = schedule(copy, "J1|2026-01")
    assert [r[3] for r in rows] == [D("76.92")] * 12 + [D("76.96")]
    assert rows[-1][1] == "2027-02"
    assert query(copy, "select distinct account_number, account_name from fct_journal_line "
                       "where account_role = 'commission_expense'") == [("60100", "Commission expense")]


# ---------------------------------------------------------------- the files


@pytest.mark.slow
def test_journal_files_are_balanced_sorted_and_identical_on_rerun(warehouse, tmp_path):
    lines = read_journal_lines(warehouse, "2026-02")
    assert {line.period for line in lines} == {"2026-01", "2026-02"}
    manifests = write_journals(lines, tmp_path / "a", "calc-1")
    write_journals(read_journal_lines(warehouse, "2026-02"), tmp_path / "b", "calc-1")
    first = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in sorted((tmp_path / "a").rglob("*"))
             if p.is_file()}
    again = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in sorted((tmp_path / "b").rglob("*"))
             if p.is_file()}
    assert first == again
    assert sorted(map(str, first)) == [
        "journals/2026-01/journal_2026-01.csv", "journals/2026-01/manifest.json",
        "journals/2026-02/journal_2026-02.csv", "journals/2026-02/manifest.json",
    ]

    text = first[Path("journals/2026-02/journal_2026-02.csv")].decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == JOURNAL_COLUMNS
    # sorted by posting date: the 2026-02-13 settlement of January first, then the month-end journals
    assert [r["journal_id"] for r in rows[:10]] == ["ACCRUAL_REVERSAL-2026-01-PAY-2026-02-13"] * 10
    assert rows[2] == {**rows[2], "currency": "JPY", "account_number": "2150", "debit": "10001", "credit": "0"}
    assert rows[0] == {**rows[0], "currency": "EUR", "debit": "123.46", "credit": "0.00", "calculation_id": "calc-1"}
    balance: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for r in rows:
        balance[(r["journal_id"], r["currency"])] += D(r["debit"]) - D(r["credit"])
    assert set(balance.values()) == {D(0)}

    manifest = json.loads(first[Path("journals/2026-02/manifest.json")])
    assert manifest == manifests["2026-02"]
    assert manifest["row_count"] == len(rows)
    assert manifest["files"]["journal_2026-02.csv"]["sha256"] == __import__("hashlib").sha256(
        first[Path("journals/2026-02/journal_2026-02.csv")]).hexdigest()
    # ACCRUAL-2026-02, USD: Dr 6100 333.33 + Dr 1350 1,000.00 = Cr 2150 1,333.33
    assert manifest["totals"]["by_journal_and_currency"]["ACCRUAL-2026-02"]["USD"] == {
        "debit": "1333.33", "credit": "1333.33"}


def _line(journal_id: str, number: int, debit: str, credit: str, currency: str = "USD") -> JournalLine:
    return JournalLine(
        period="2026-01", journal_id=journal_id, journal_type="ACCRUAL", posting_date=date(2026, 1, 31),
        line_number=number, cost_center="CC", account_number="6100", account_name="x", currency=currency,
        debit=D(debit), credit=D(credit), description="", source_model="fct_payable", source_period="2026-01",
        source_line_count=1,
    )


def test_unbalanced_or_unrounded_lines_are_refused_with_the_journal_named():
    check_lines([_line("J-1", 1, "10.00", "0"), _line("J-1", 2, "0", "10.00")])
    with pytest.raises(JournalError, match=r"J-1 USD: debit - credit = 0.01"):
        check_lines([_line("J-1", 1, "10.01", "0"), _line("J-1", 2, "0", "10.00")])
    with pytest.raises(JournalError, match=r"journal J-2 line 1 .*minor units"):
        check_lines([_line("J-2", 1, "10.001", "0"), _line("J-2", 2, "0", "10.001")])
    with pytest.raises(JournalError, match=r"journal J-3 line 1 .*exactly one"):
        check_lines([_line("J-3", 1, "10", "10")])
    # the same amounts balance in one currency, not across two
    with pytest.raises(JournalError, match="J-4 EUR"):
        check_lines([_line("J-4", 1, "5.00", "0"), _line("J-4", 2, "0", "5.00", currency="EUR")])


@pytest.mark.slow
def test_a_benefit_period_that_is_not_a_whole_number_of_months_is_refused(tmp_path):
    env = _env_without_spm() | {"SPM_CAPITALIZATION_BENEFIT_MONTHS": "three years"}
    completed = run_dbt("parse", tmp_path, env)
    assert completed.returncode != 0
    assert "SPM_CAPITALIZATION_BENEFIT_MONTHS) must be a whole number of months >= 1, got 'three years'" in (
        completed.stdout + completed.stderr)
