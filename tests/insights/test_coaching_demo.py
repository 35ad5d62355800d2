"""Coaching needs on the session's demo run (tests/conftest.py ``demo_pipeline``, scale 0.05, seed 7):
the weak stages the generator planted are the ones the marts name, the backtest's figures, and both
marts in the BI snapshot (docs/insights.md#coaching-needs)."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from bench.coaching import backtest, chance_threshold, weakest_areas
from demo.deals import STRONG_WEAKNESS
from demo.generate import hidden_strengths
from tests.conftest import DEMO_SCALE

pytestmark = pytest.mark.slow  # reads the session's demo run

SEED = 7  # demo.generate's default, the session run's
# The backtest on the session's company: 6 payees paid on own credit with 2025 gaps; the threshold
# is the chance level of bench/coaching.py (hand-made cases in tests/bench/test_coaching_backtest.py).
BACKTEST_AT_0_05 = {
    "gap_year": 2025, "shortfall_year": 2026, "payees": 6, "spearman": 0.7714, "chance_threshold": 0.7357,
    "better_than_chance": True,
}


@pytest.fixture(scope="module")
def con(demo_pipeline):
    paths, _, _ = demo_pipeline
    connection = duckdb.connect(str(paths.warehouse), read_only=True)
    yield connection
    connection.close()


def test_the_planted_weak_stages_are_named_weakest(con):
    named = {r["employee_id"]: r for r in weakest_areas(con, 2025).to_dicts()}
    strong = [r for r in hidden_strengths(DEMO_SCALE, SEED)
              if r["weak_stage"] and r["weak_stage_factor"] <= STRONG_WEAKNESS and r["employee_id"] in named]
    assert strong, "no rep with a strong planted weakness and enough data"
    for r in strong:
        assert named[r["employee_id"]]["weakest_area"] == r["weak_stage"], (r, named[r["employee_id"]])


def test_the_backtest_figures(con):
    result = backtest(con, 2025)
    assert result["chance_threshold"] == pytest.approx(chance_threshold(result["payees"]), abs=1e-4)
    assert result == BACKTEST_AT_0_05


def test_no_payee_without_enough_data_is_flagged(con):
    (count,) = con.execute("""select count(*) from fct_payee_coaching_need
                              where coaching_status = 'not enough data' and (is_flagged or credit_cost <> 0)""").fetchone()
    assert count == 0
    statuses = dict(con.execute("select coaching_status, count(*) from fct_payee_coaching_need group by 1").fetchall())
    assert set(statuses) == {"coaching need", "no significant gap", "not enough data"}


def test_both_marts_are_in_the_bi_snapshot(demo_pipeline, con):
    paths, _, _ = demo_pipeline
    for mart in ("fct_payee_coaching_need", "fct_payee_coaching_area"):
        copied = pl.read_parquet(paths.export_dir / "bi" / "current" / f"{mart}.parquet")
        (rows,) = con.execute(f"select count(*) from {mart}").fetchone()
        assert copied.height == rows > 0, mart
