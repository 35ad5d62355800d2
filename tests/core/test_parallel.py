"""core/parallel.py: work spread over processes gives a loop's results, in the loop's order."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest

from core import parallel
from core.parallel import map_in_order, render_processes
from core.settings import Settings


def cube_with_pid(value: Decimal) -> tuple[Decimal, int]:
    return value ** 3, os.getpid()


def test_two_workers_return_the_loops_results_in_order_and_report_every_item():
    items = [Decimal(n) / 7 for n in range(200)]
    done = []
    results = map_in_order(cube_with_pid, items, processes=2, on_done=lambda: done.append(1))
    assert [value for value, _ in results] == [item ** 3 for item in items]
    assert len(done) == len(items)
    workers = {pid for _, pid in results}
    assert os.getpid() not in workers and 1 <= len(workers) <= 2


def test_one_process_renders_in_the_callers_process():
    results = map_in_order(cube_with_pid, [Decimal(2), Decimal(3)], processes=1)
    assert results == [(Decimal(8), os.getpid()), (Decimal(27), os.getpid())]


def test_a_small_set_renders_in_process_a_large_one_on_the_configured_processes(monkeypatch):
    monkeypatch.setattr(parallel, "usable_cores", lambda: 2)
    monkeypatch.delenv("SPM_RENDER_PROCESSES", raising=False)
    settings = Settings.from_env()
    assert render_processes(parallel.MIN_ITEMS - 1, settings) == 1
    assert render_processes(2_000, settings) == 2  # 0: one per core
    monkeypatch.setenv("SPM_RENDER_PROCESSES", "1")
    assert render_processes(2_000, Settings.from_env()) == 1
    monkeypatch.setenv("SPM_RENDER_PROCESSES", "3")
    assert render_processes(2_000, Settings.from_env()) == 3
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)  # never more workers than items
    assert render_processes(2, Settings.from_env()) == 2


def test_an_error_in_a_worker_reaches_the_caller():
    with pytest.raises(ZeroDivisionError):
        map_in_order(reciprocal, [Decimal(1), Decimal(0)] * 40, processes=2)


def reciprocal(value: Decimal) -> Decimal:
    return 1 / value
