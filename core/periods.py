"""Pay periods ("YYYY-MM") and months: the one place month arithmetic is written.

A month is also an integer index, ``year * 12 + month - 1``, so moving by
months is plain addition; the period functions are built on it.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

PERIOD_PATTERN = re.compile(r"^\d{4}-(?:0[1-9]|1[0-2])$")  # no capturing group: GX warns on one


def check_period(period: str) -> str:
    """``period`` itself when it is written YYYY-MM, else a ValueError saying how to write it."""
    if not PERIOD_PATTERN.match(period or ""):
        raise ValueError(f"A pay period is written YYYY-MM (e.g. 2026-10), not {period!r}.")
    return period


# ---------------------------------------------------------------- months as integers


def month_index(day: date) -> int:
    """The month ``day`` falls in, as an index."""
    return day.year * 12 + day.month - 1


def period_month(period: str) -> int:
    """The month of a pay period, as an index (the period is checked)."""
    year, month = check_period(period).split("-")
    return int(year) * 12 + int(month) - 1


def month_label(index: int) -> str:
    """The pay period ``YYYY-MM`` of a month index."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def days_in_month(index: int) -> int:
    return calendar.monthrange(index // 12, index % 12 + 1)[1]


def month_end(index: int) -> date:
    return date(index // 12, index % 12 + 1, days_in_month(index))


# ---------------------------------------------------------------- pay periods


def period_of(day: date) -> str:
    """The pay period ``day`` falls in."""
    return month_label(month_index(day))


def next_period(period: str) -> str:
    return month_label(period_month(period) + 1)


def previous_period(period: str) -> str:
    return month_label(period_month(period) - 1)


def period_range(first: str, last: str) -> list[str]:
    """Every period from ``first`` to ``last`` inclusive, oldest first (none when ``last`` is before ``first``)."""
    return [month_label(index) for index in range(period_month(first), period_month(last) + 1)]


def first_day(period: str) -> date:
    return month_start(period_month(period))


def last_day(period: str) -> date:
    return month_end(period_month(period))
