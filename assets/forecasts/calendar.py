"""Months as integers (year * 12 + month - 1), so month arithmetic is plain addition.

The index arithmetic is core.periods' (re-exported here for the forecasts); this
module adds what the forecasts need on top of it: moving a date by months,
origins, quarters.
"""

from __future__ import annotations

from datetime import date, timedelta

from core.periods import days_in_month, month_end, month_index, month_label, month_start

__all__ = [
    "add_months",
    "days_in_month",
    "first_open_month",
    "month_end",
    "month_index",
    "month_label",
    "month_start",
    "quarter_of",
    "shift_origin",
]


def add_months(d: date, k: int) -> date:
    """The same day ``k`` months later, clamped to the month's length (Jan 31 + 1 = Feb 28)."""
    index = month_index(d) + k
    return month_start(index).replace(day=min(d.day, days_in_month(index)))


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
