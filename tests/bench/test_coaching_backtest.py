"""The coaching backtest's arithmetic (bench/coaching.py) on hand-made cases whose answer is known:
ranks with ties, Spearman's rho, the chance threshold, and the whole backtest on tiny marts."""

from __future__ import annotations

import duckdb
import pytest

from bench.coaching import (
    attainment_shortfall,
    average_ranks,
    backtest,
    better_than_chance,
    chance_threshold,
    coaching_gaps,
    plot_team_gaps,
    spearman,
    weakest_areas,
)


def test_average_ranks_share_ties():
    assert average_ranks([10, 20, 20, 30]) == [1.0, 2.5, 2.5, 4.0]
    assert average_ranks([3, 1, 2]) == [3.0, 1.0, 2.0]


def test_spearman_on_hand_computed_cases():
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [40, 30, 20, 10]) == pytest.approx(-1.0)
    # d = -1, 1, -1, 1, 0: rho = 1 - 6 x 4 / (5 x 24) = 0.8
    assert spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) == pytest.approx(0.8)
    # monotone but not linear: ranks only
    assert spearman([1, 2, 3, 4, 5], [1, 10, 100, 1000, 10000]) == pytest.approx(1.0)
    assert spearman([1, 2], [1, 2]) is None
    assert spearman([1, 1, 1], [1, 2, 3]) is None


def test_the_chance_threshold():
    assert chance_threshold(10) == pytest.approx(1.645 / 3)  # 0.5483
    assert better_than_chance(0.6, 10) and not better_than_chance(0.5, 10)
    assert not better_than_chance(0.8, 5)  # 5 pairs: 1.645 / 2 = 0.8225 needed
    assert not better_than_chance(None, 10)


def test_gaps_that_drive_the_shortfall_pass_and_unrelated_ones_do_not():
    gaps = [0.01 * k for k in range(20)]
    noise = [((7 * k) % 20 - 10) * 0.002 for k in range(20)]  # a fixed ±0.02 jitter
    driven = [g + e for g, e in zip(gaps, noise, strict=True)]
    assert better_than_chance(spearman(gaps, driven), 20)
    unrelated = [((7 * k) % 20) for k in range(20)]  # a permutation unrelated to the order
    rho = spearman(gaps, unrelated)
    assert abs(rho) < chance_threshold(20), rho


@pytest.fixture()
def marts():
    """E1..E4: the larger their 2025 gap share, the further below quota in 2026; E5 not enough data."""
    con = duckdb.connect()
    con.execute("""create table fct_payee_coaching_need (employee_id varchar, quarter varchar, plan_year integer,
        team_manager_employee_id varchar, credit_cost decimal(38,10), is_flagged boolean, coaching_status varchar,
        weakest_area_type varchar, weakest_area varchar)""")
    con.execute("""create table fct_payee_coaching_area (employee_id varchar, quarter varchar, plan_year integer,
        area_type varchar, pipeline_value decimal(38,10))""")
    con.execute("""create table fct_attainment (employee_id varchar, period varchar, plan_year integer,
        quota_ytd decimal(38,10), attainment_ytd decimal(38,10))""")
    con.execute("""create table fct_payee_attainment_flag (employee_id varchar, period varchar, measure varchar)""")
    # E1..E4: credit cost 0, 10, 20, 30 per quarter on 100 of pipeline (gap 0, 0.1, 0.2, 0.3);
    # E5 has too few deals (not enough data: left out)
    for k, e in enumerate(("E1", "E2", "E3", "E4")):
        for q in ("2025-Q1", "2025-Q2"):
            con.execute("insert into fct_payee_coaching_need values (?, ?, 2025, 'M1', ?, ?, ?, 'stage', ?)",
                        [e, q, 10 * k, k >= 2, "coaching need" if k >= 2 else "no significant gap",
                         "Proposal" if q == "2025-Q1" or k != 3 else "Negotiation"])
            con.execute("insert into fct_payee_coaching_area values (?, ?, 2025, 'overall', 100)", [e, q])
        # 2026 attainment: 1.1, 0.9, 0.8, 0.6 at the newest period (an older one says otherwise)
        con.execute("insert into fct_attainment values (?, '2026-09', 2026, 1000, 2)", [e])
        con.execute("insert into fct_attainment values (?, '2026-10', 2026, 1000, ?)", [e, (1.1, 0.9, 0.8, 0.6)[k]])
        con.execute("insert into fct_payee_attainment_flag values (?, '2026-10', 'own_credit')", [e])
    con.execute("insert into fct_payee_coaching_need values "
                "('E5', '2025-Q1', 2025, 'M2', 0, false, 'not enough data', null, null)")
    con.execute("insert into fct_attainment values ('E5', '2026-10', 2026, 1000, 0.1)")
    con.execute("insert into fct_payee_attainment_flag values ('E5', '2026-10', 'own_credit')")
    # E6, a manager paid on the team's credit: a 2025 gap, but not judged by own attainment
    con.execute("insert into fct_payee_coaching_need values "
                "('E6', '2025-Q1', 2025, 'M1', 50, true, 'coaching need', 'stage', 'Proposal')")
    con.execute("insert into fct_payee_coaching_area values ('E6', '2025-Q1', 2025, 'overall', 100)")
    con.execute("insert into fct_attainment values ('E6', '2026-10', 2026, 1000, 0.05)")
    con.execute("insert into fct_payee_attainment_flag values ('E6', '2026-10', 'rollup_credit')")
    return con


def test_the_backtest_on_tiny_marts(marts):
    gaps = coaching_gaps(marts, 2025)
    assert gaps["employee_id"].to_list() == ["E1", "E2", "E3", "E4", "E6"]
    assert gaps["coaching_gap"].to_list() == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.5])
    assert gaps["flagged_quarters"].to_list() == [0, 0, 2, 2, 1]
    shortfall = attainment_shortfall(marts, 2026)
    assert shortfall.filter(shortfall["employee_id"] == "E4")["shortfall"].to_list() == pytest.approx([0.4])
    assert "E6" not in shortfall["employee_id"].to_list()  # paid on roll-up credit
    result = backtest(marts, 2025)
    assert result["payees"] == 4 and result["spearman"] == pytest.approx(1.0)
    assert result["chance_threshold"] == pytest.approx(0.9497, abs=1e-4)  # 1.645 / √3
    assert result["better_than_chance"]
    # E4's weakest: Proposal in Q1, Negotiation in Q2: a tie of one quarter each, broken by credit cost, then name
    named = {r["employee_id"]: r["weakest_area"] for r in weakest_areas(marts, 2025).to_dicts()}
    assert named == {"E1": "Proposal", "E2": "Proposal", "E3": "Proposal", "E4": "Negotiation", "E6": "Proposal"}


def test_a_plot_per_team_with_stable_bytes(marts, tmp_path):
    gaps = coaching_gaps(marts, 2025)
    (first,) = plot_team_gaps(gaps, tmp_path / "a", 2025)
    (second,) = plot_team_gaps(gaps, tmp_path / "b", 2025)  # E5 has no gap: in no team plot
    assert first.name == "coaching_gaps_2025_M1.png"
    assert first.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert first.read_bytes() == second.read_bytes()
