"""The pay calendar: on which day each payroll pays a period's payouts (SPEC §5, docs/payout_extract.md).

One rule, used by the payout file, the payroll files, the accrual journal and the
statements alike (they all read ``pay_date`` from the warehouse, which joins this
table): the payouts of period M are paid on day ``SPM_PAY_DAY`` (default 15; the
month's last day when the month is shorter) of the month ``SPM_PAY_LAG_MONTHS``
(default 1) after M, and when that day is a Saturday, a Sunday or a public holiday
of the payroll's country, on the business day before it. Public holidays come from
the ``holidays`` package (locked in requirements.lock), national holidays of the
country only (no regional ones), observed days included.

The payroll country is the payee's HR country (``workers.country``, an ISO 3166
alpha-2 code). A payee without a country pays through ``XX``, and a country the
``holidays`` package does not know rolls over weekends only: the table says so
(``holiday_calendar``) rather than guessing. The table keys each country as HR
writes it (the warehouse joins on that value, macro ``payroll_country``); only
the holiday lookup reads it as a code (trimmed, upper case).

The table (``raw/reference/pay_calendar``, the dbt source ``reference.pay_calendar``)
has one row per country and period for every period of ``CALENDAR_YEARS``, so a
period never lacks a pay date; it is a pure function of the countries, the two
settings and the package version, so a rerun writes the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import holidays as holidays_package
import polars as pl

from assets.ingest.contract import HR_WORKERS
from assets.ingest.load import write_parquet_atomic
from assets.ingest.raw_layout import CONFIG_BATCH, dataset_dir
from core.periods import first_day, last_day, next_period

UNKNOWN_COUNTRY = "XX"  # a payee whose HR record has no country
CALENDAR_YEARS = range(2000, 2100)  # the periods the table covers (their pay dates may fall in 2100)
DATASET = ("reference", "pay_calendar")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

PAY_CALENDAR_SCHEMA = {
    "country": pl.Utf8,
    "period": pl.Utf8,
    "scheduled_pay_date": pl.Date,
    "pay_date": pl.Date,
    "moved_because": pl.Utf8,
    "holiday_calendar": pl.Utf8,
}


def scheduled_pay_date(period: str, pay_day: int, lag_months: int) -> date:
    """Day ``pay_day`` of the month ``lag_months`` after ``period`` (its last day when the month is shorter)."""
    month = period
    for _ in range(lag_months):
        month = next_period(month)
    return min(first_day(month) + timedelta(days=pay_day - 1), last_day(month))


def non_business_reason(day: date, public_holidays: Mapping[date, str]) -> str | None:
    """Why ``day`` is no business day (the weekday's name, or the holiday's), or None."""
    if day.weekday() >= 5:
        return WEEKDAY_NAMES[day.weekday()]
    return public_holidays.get(day)


def previous_business_day(day: date, public_holidays: Mapping[date, str]) -> tuple[date, str | None]:
    """``day`` if it is a business day, else the business day before it, with why ``day`` was not one."""
    reason = non_business_reason(day, public_holidays)
    while non_business_reason(day, public_holidays) is not None:
        day -= timedelta(days=1)
    return day, reason


@lru_cache(maxsize=None)
def country_holidays(country: str, first_year: int, last_year: int) -> tuple[dict[date, str], str]:
    """The public holidays of a country over the years (``{}`` when the package does not know it),
    and the name of the calendar used."""
    try:
        days = holidays_package.country_holidays(country, years=range(first_year, last_year + 1))
    except NotImplementedError:
        return {}, "weekends only (no public holidays known for this country)"
    return dict(days), f"holidays {holidays_package.__version__}: {country}"


@dataclass(frozen=True)
class PayDate:
    country: str
    period: str
    scheduled_pay_date: date
    pay_date: date
    moved_because: str | None
    holiday_calendar: str


def pay_dates(country: str, pay_day: int, lag_months: int, years: range = CALENDAR_YEARS) -> list[PayDate]:
    """The pay date of every period of ``years`` for one payroll country (as HR writes it)."""
    periods = [f"{year:04d}-{month:02d}" for year in years for month in range(1, 13)]
    scheduled = [scheduled_pay_date(p, pay_day, lag_months) for p in periods]
    code = country.strip().upper()
    known, calendar = (
        country_holidays(code, min(scheduled).year, max(scheduled).year)
        if code and country != UNKNOWN_COUNTRY
        else ({}, "weekends only (payee without a country)")
    )
    rows = []
    for period, day in zip(periods, scheduled):
        paid, reason = previous_business_day(day, known)
        rows.append(PayDate(country, period, day, paid, reason, calendar))
    return rows


def pay_calendar(countries: Iterable[str | None], pay_day: int, lag_months: int, years: range = CALENDAR_YEARS) -> pl.DataFrame:
    """The table for the countries (``XX`` always included, for payees without one), sorted by
    country and period."""
    wanted = sorted({c for c in countries if c} | {UNKNOWN_COUNTRY})
    rows = [row for country in wanted for row in pay_dates(country, pay_day, lag_months, years)]
    return pl.DataFrame(
        {
            "country": [r.country for r in rows],
            "period": [r.period for r in rows],
            "scheduled_pay_date": [r.scheduled_pay_date for r in rows],
            "pay_date": [r.pay_date for r in rows],
            "moved_because": [r.moved_because for r in rows],
            "holiday_calendar": [r.holiday_calendar for r in rows],
        },
        schema=PAY_CALENDAR_SCHEMA,
    )


def pay_calendar_dir(raw_dir: Path) -> Path:
    return Path(raw_dir).joinpath(*DATASET) / f"batch={CONFIG_BATCH}"


def write_pay_calendar(raw_dir: Path, pay_day: int, lag_months: int) -> tuple[Path, pl.DataFrame]:
    """The table for the raw layer's HR countries, written where dbt's source reads it."""
    table = pay_calendar(hr_countries(raw_dir), pay_day, lag_months)
    return write_parquet_atomic(table, pay_calendar_dir(raw_dir) / "pay_calendar.parquet"), table


def hr_countries(raw_dir: Path) -> list[str]:
    """The countries of every HR worker record in the raw layer (every batch)."""
    files = sorted(dataset_dir(raw_dir, HR_WORKERS).glob("batch=*/*.parquet"))
    if not files:
        return []
    frame = pl.scan_parquet(files, missing_columns="insert", extra_columns="ignore").select("country").unique().collect()
    return sorted(c for c in frame["country"].to_list() if c)
