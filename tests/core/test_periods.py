"""Pay periods and months (core/periods.py), every expected value worked out by hand."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from core.periods import (
    check_period,
    days_in_month,
    first_day,
    last_day,
    month_end,
    month_index,
    month_label,
    month_start,
    next_period,
    period_month,
    period_of,
    period_range,
    previous_period,
)


def test_next_and_previous_period_cross_the_year_end():
    assert next_period("2025-12") == "2026-01"
    assert previous_period("2026-01") == "2025-12"
    assert next_period("2026-01") == "2026-02"
    assert previous_period("2026-10") == "2026-09"


def test_period_range_across_a_year_end_is_inclusive_and_ordered():
    assert period_range("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert period_range("2026-03", "2026-03") == ["2026-03"]
    assert period_range("2026-03", "2026-01") == []


def test_first_and_last_day_of_february_in_a_leap_year_and_not():
    assert first_day("2024-02") == date(2024, 2, 1)
    assert last_day("2024-02") == date(2024, 2, 29)
    assert first_day("2026-02") == date(2026, 2, 1)
    assert last_day("2026-02") == date(2026, 2, 28)
    assert last_day("2025-12") == date(2025, 12, 31)


def test_month_index_is_year_times_12_plus_month_minus_1():
    # 2026 * 12 + 1 - 1 = 24312; December 2025 is the month before.
    assert month_index(date(2026, 1, 31)) == 24312
    assert period_month("2026-01") == 24312
    assert period_month("2025-12") == 24311
    assert month_label(24311) == "2025-12"
    assert month_start(24313) == date(2026, 2, 1)
    assert month_end(24313) == date(2026, 2, 28)
    assert days_in_month(2024 * 12 + 1) == 29  # February 2024
    assert period_of(date(2024, 2, 29)) == "2024-02"


@pytest.mark.parametrize("bad", ["2026-13", "2026-00", "2026-3", "26-03", "2026/03", "", None])
def test_an_invalid_period_is_refused_with_the_existing_message(bad):
    with pytest.raises(ValueError, match=r"A pay period is written YYYY-MM \(e\.g\. 2026-10\), not "):
        check_period(bad)
    with pytest.raises(ValueError, match="YYYY-MM"):
        next_period(bad)


def test_the_floor_imports_nothing_above_it():
    above = ("assets", "orchestration", "demo", "bench", "expectations")
    for path in (Path(__file__).parents[2] / "core").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not [n for n in names if n.split(".")[0] in above], f"{path.name} imports {names}"
