"""Pay dates on business days (issue #16 item 4; assets/payouts/pay_calendar.py, docs/payout_extract.md).

The rule, with dates worked out on a calendar: the payouts of period M are paid on day
SPM_PAY_DAY of the month SPM_PAY_LAG_MONTHS after M (the month's last day when shorter),
or on the business day before it when that day is a weekend or a public holiday of the
payee's payroll country. The warehouse joins the table (fct_payout_file_line.pay_date),
and the accrual journal reverses on that date.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import dagster as dg
import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assets.payouts.pay_calendar import (
    UNKNOWN_COUNTRY,
    country_holidays,
    pay_calendar,
    pay_dates,
    previous_business_day,
    scheduled_pay_date,
)
from core.settings import Settings
from tests.support.raw import build_small_company, write_batch
from tests.support.warehouse import env_without_spm, query, run_dbt

YEARS = range(2026, 2028)


def _pay(country: str, period: str, pay_day: int = 15, lag: int = 1):
    return next(row for row in pay_dates(country, pay_day, lag, YEARS) if row.period == period)


# (country, period, pay day, lag) -> (scheduled, paid, why), each checked on a 2026/2027 calendar
CASES = [
    # 2026-11-15 is a Sunday: the Friday before
    (("US", "2026-10", 15, 1), (date(2026, 11, 15), date(2026, 11, 13), "Sunday")),
    # a Tuesday: paid on the day
    (("DE", "2026-11", 15, 1), (date(2026, 12, 15), date(2026, 12, 15), None)),
    # Christmas Day, a Friday: the 24th (a working day in Germany's national calendar)
    (("DE", "2026-11", 25, 1), (date(2026, 12, 25), date(2026, 12, 24), "Christmas Day")),
    # Boxing Day falls on Saturday 26th and is observed on Monday 28th; then the weekend and Christmas
    (("GB", "2026-11", 28, 1), (date(2026, 12, 28), date(2026, 12, 24), "Boxing Day (observed)")),
    # Presidents' Day 2026 is Monday 16 February in the US, a business day in Germany
    (("US", "2026-01", 16, 1), (date(2026, 2, 16), date(2026, 2, 13), "Washington's Birthday")),
    (("DE", "2026-01", 16, 1), (date(2026, 2, 16), date(2026, 2, 16), None)),
    # day 31 of February is its last day, Sunday 28 February 2027: the Friday before
    (("FR", "2027-01", 31, 1), (date(2027, 2, 28), date(2027, 2, 26), "Sunday")),
    # lag 0: paid in the period's own month; 1 May 2027 is a Saturday
    (("FR", "2027-05", 1, 0), (date(2027, 5, 1), date(2027, 4, 30), "Saturday")),
    # two months' lag
    (("US", "2026-10", 20, 2), (date(2026, 12, 20), date(2026, 12, 18), "Sunday")),
    # 5 July 2027: a Monday, paid on the day without a country (weekends only); in the US the observed
    # Independence Day (the 4th is a Sunday), so the Friday before
    ((UNKNOWN_COUNTRY, "2027-06", 5, 1), (date(2027, 7, 5), date(2027, 7, 5), None)),
    (("US", "2027-06", 5, 1), (date(2027, 7, 5), date(2027, 7, 2), "Independence Day (observed)")),
]


@pytest.mark.parametrize(("case", "expected"), CASES, ids=[f"{c[0]}-{c[1]}-day{c[2]}-lag{c[3]}" for c, _ in CASES])
def test_pay_dates_worked_out_on_a_calendar(case, expected):
    country, period, pay_day, lag = case
    row = _pay(country, period, pay_day, lag)
    assert (row.scheduled_pay_date, row.pay_date, row.moved_because) == expected


def test_a_country_without_a_holiday_calendar_rolls_over_weekends_only():
    days, calendar = country_holidays("ZZ", 2026, 2027)
    assert days == {} and calendar.startswith("weekends only")
    assert _pay("ZZ", "2026-10").pay_date == date(2026, 11, 13)
    assert _pay("US", "2026-10").holiday_calendar.startswith("holidays ")


def test_the_table_covers_every_period_of_every_country_and_the_unknown_one():
    # countries keyed as HR writes them (the warehouse joins on that value), holidays looked up by code
    table = pay_calendar(["DE", None, " us "], 15, 1, YEARS)
    assert sorted(set(table["country"].to_list())) == [" us ", "DE", UNKNOWN_COUNTRY]
    assert table.height == 3 * 24
    assert table.select("country", "period").is_unique().all()
    us = table.filter(table["country"] == " us ")
    assert set(us["holiday_calendar"].to_list()) == {f"holidays {holidays.__version__}: US"}
    # Thanksgiving, Thursday 26 November 2026: paid on the Wednesday before with SPM_PAY_DAY 26
    (row,) = [r for r in pay_dates(" us ", 26, 1, YEARS) if r.period == "2026-10"]
    assert (row.pay_date, row.moved_because) == (date(2026, 11, 25), "Thanksgiving Day")


@settings(max_examples=200, deadline=None)
@given(
    country=st.sampled_from(["US", "GB", "DE", "FR", "CA", UNKNOWN_COUNTRY]),
    year=st.integers(2000, 2098),
    month=st.integers(1, 12),
    pay_day=st.integers(1, 31),
    lag=st.integers(0, 12),
)
def test_a_pay_date_is_the_last_business_day_on_or_before_the_scheduled_day(country, year, month, pay_day, lag):
    period = f"{year:04d}-{month:02d}"
    scheduled = scheduled_pay_date(period, pay_day, lag)
    known = {} if country == UNKNOWN_COUNTRY else country_holidays(country, scheduled.year - 1, scheduled.year)[0]
    paid, reason = previous_business_day(scheduled, known)
    assert paid <= scheduled and (scheduled - paid).days < 10
    assert paid.weekday() < 5 and paid not in known
    # no business day is skipped between the pay date and the scheduled day
    for offset in range(1, (scheduled - paid).days + 1):
        day = paid + timedelta(days=offset)
        assert day.weekday() >= 5 or day in known
    assert (reason is None) == (paid == scheduled)


def test_pay_day_and_lag_are_settings(monkeypatch):
    monkeypatch.setenv("SPM_PAY_DAY", "25")
    monkeypatch.setenv("SPM_PAY_LAG_MONTHS", "0")
    settings_ = Settings.from_env()
    assert (settings_.pay_day, settings_.pay_lag_months) == (25, 0)
    for variable, value in (("SPM_PAY_DAY", "32"), ("SPM_PAY_DAY", "0"), ("SPM_PAY_LAG_MONTHS", "13")):
        monkeypatch.setenv(variable, value)
        with pytest.raises(dg.Failure, match=variable):
            Settings.from_env()
        monkeypatch.delenv(variable)


@pytest.mark.slow
def test_each_payroll_pays_on_its_own_business_day_and_the_journal_reverses_then(tmp_path):
    # The small company (tests/support/raw.py): E001 and E003 in the US, E002 in Germany. With
    # SPM_PAY_DAY=16, January is paid on Monday 16 February 2026 in Germany, but on Friday the 13th in
    # the US (Presidents' Day); February on Monday 16 March everywhere.
    # Every payee is booked to cost center CC-100, which the configuration puts in the US: the
    # German and British payees' paid lines are flagged (issue #16 item 5), as a warning.
    raw = tmp_path / "raw"
    build_small_company(raw)
    write_batch(raw, "config", "cost_centers", "current", [{"cost_center": "CC-100", "country": "us", "name": "Sales"}])
    env = env_without_spm() | {"SPM_RAW_DIR": str(raw), "SPM_WAREHOUSE": str(tmp_path / "spm.duckdb"), "SPM_PAY_DAY": "16"}
    completed = run_dbt("build", tmp_path, env, "--select", "+fct_payout_file_line", "+fct_journal_line",
                        "stg_config__cost_centers", "assert_payout_cost_center_in_payroll_country",
                        "--exclude-resource-type", "unit_test", "--indirect-selection", "cautious")
    assert completed.returncode == 0, completed.stdout[-5000:]
    warehouse = tmp_path / "spm.duckdb"
    dates = query(warehouse, "select distinct country, period, pay_date from fct_payout_file_line order by all")
    assert ("US", "2026-01", date(2026, 2, 13)) in dates
    assert ("DE", "2026-02", date(2026, 3, 16)) in dates and ("US", "2026-02", date(2026, 3, 16)) in dates
    expected = {
        ("US", "2026-01"): date(2026, 2, 13), ("DE", "2026-01"): date(2026, 2, 16), ("GB", "2026-01"): date(2026, 2, 16),
    }
    for country, period, pay_date in dates:
        assert pay_date == expected.get((country, period), date(2026, 3, 16) if period == "2026-02" else pay_date)
    # the accrual of January is reversed on each of its pay dates, one journal per date
    reversals = query(warehouse, "select distinct journal_id, posting_date from fct_journal_line "
                                 "where journal_type = 'ACCRUAL_REVERSAL' and source_period = '2026-01' order by 1")
    paid = sorted({pay_date for _, period, pay_date in dates if period == "2026-01"})
    assert reversals == [(f"ACCRUAL_REVERSAL-2026-01-PAY-{d.isoformat()}", d) for d in paid]

    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    check = next(r for r in results if r["unique_id"] == "test.spm.assert_payout_cost_center_in_payroll_country")
    abroad = query(warehouse, "select count(*) from fct_payout_file_line where is_paid and cost_center = 'CC-100' "
                              "and country <> 'US'")[0][0]
    assert abroad > 0 and (check["status"], check["failures"]) == ("warn", abroad)
