"""Months as integers (year * 12 + month - 1), so month arithmetic is plain addition."""

from __future__ import annotations

import calendar as _calendar
from datetime import date, timedelta


def month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def days_in_month(index: int) -> int:
    return _calendar.monthrange(index // 12, index % 12 + 1)[1]


def month_end(index: int) -> date:
    return date(index // 12, index % 12 + 1, days_in_month(index))


def add_months(d: date, k: int) -> date:
    """The same day ``k`` months later, clamped to the month's length (Jan 31 + 1 = Feb 28)."""
    index = month_index(d) + k
    return date(index // 12, index % 12 + 1, min(d.day, days_in_month(index)))


def shift_origin(origin: date, k: int) -> date:
    """An origin date ``k`` months away, keeping its position: a month end stays a month end."""
    if origin == month_end(month_index(origin)):
        return month_end(month_index(origin) + k)
    return add_months(origin, k)


def first_open_month(origin: date) -> int:
    """The first month with days after the origin (the origin's month unless it is a month end)."""
    return month_index(origin + timedelta(days=1))


def quarter_of(index: int) -> str:
    return f"{index // 12:04d}-Q{(index % 12) // 3 + 1}"
