"""The territory proposal (assets/planning/territory_fit.py) on tiny cases computed by hand: the
assignment under capacity and coverage, deterministic ties, the fallback, the BI rows, and the
backtest on a held-back year where the answer is known."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl

from assets.planning.territory_fit import (
    PlanInputs,
    evaluate,
    plan_inputs,
    propose,
    proposal_rows,
    summary_rows,
    territory_proposals,
)

D = Decimal


def tiny(current: dict[str, str], value: dict[tuple[str, str], Decimal] | None = None) -> PlanInputs:
    # capacity A 10, B 10, C 20 (40); demand T1 50, T2 50: each territory's fair share is 20
    # opportunities, the band 0.8..1.25 allows 16..25: one territory gets C alone, the other A and B.
    value = value or {
        ("A", "T1"): D(100), ("A", "T2"): D(50),
        ("B", "T1"): D(80), ("B", "T2"): D(90),
        ("C", "T1"): D(60), ("C", "T2"): D(70),
    }
    return PlanInputs(2026, 2025, ("A", "B", "C"), ("T1", "T2"), current, {"A": 10, "B": 10, "C": 20},
                      {"T1": 50, "T2": 50}, value, "USD")


def test_the_proposal_maximises_expected_bookings_within_capacity_and_coverage():
    proposal = propose(tiny({"A": "T2", "B": "T1", "C": "T1"}))
    # feasible: {C} + {A, B} either way round.
    #   C in T1, A and B in T2: 20 x 60 + 10 x 50 + 10 x 90 = 2600
    #   C in T2, A and B in T1: 20 x 70 + 10 x 100 + 10 x 80 = 3200  <- the best
    # (each rep's own best, A T1, B T2, C T2 = 3300, puts 30 opportunities of capacity in T2: over 25)
    assert proposal.solver_status == "optimal"
    assert proposal.proposed == {"A": "T1", "B": "T1", "C": "T2"}
    assert proposal.total(proposal.inputs.current) == D(2500)  # 10 x 50 + 10 x 80 + 20 x 60
    assert proposal.total(proposal.proposed) == D(3200)


def test_without_the_band_each_rep_goes_where_they_are_best_and_every_territory_stays_covered():
    proposal = propose(tiny({"A": "T2", "B": "T1", "C": "T1"}), band=(D(0), D(100)))
    assert proposal.proposed == {"A": "T1", "B": "T2", "C": "T2"}
    assert proposal.total(proposal.proposed) == D(3300)
    # coverage: were A better in T2 too, T1 would still keep one rep (the cheapest move: B, 80 vs 90)
    value = {("A", "T1"): D(40), ("A", "T2"): D(100), ("B", "T1"): D(80), ("B", "T2"): D(90),
             ("C", "T1"): D(60), ("C", "T2"): D(70)}
    covered = propose(tiny({"A": "T2", "B": "T1", "C": "T1"}, value), band=(D(0), D(100)))
    # T1 needs one of A (loses 10 x 60), B (10 x 10) or C (20 x 10): B stays in T1
    assert covered.proposed == {"A": "T2", "B": "T1", "C": "T2"}


def test_ties_keep_the_current_territory_and_the_answer_is_the_same_every_time():
    flat = {(r, t): D(50) for r in "ABC" for t in ("T1", "T2")}
    current = {"A": "T1", "B": "T1", "C": "T2"}
    proposals = [propose(tiny(current, flat)) for _ in range(3)]
    assert all(p.proposed == current for p in proposals)  # no move gains anything


def test_fewer_reps_than_territories_cover_the_territories_with_the_most_demand_and_say_so():
    # one rep, two territories: T2 has more demand, so A must work T2 although A earns more in T1
    inputs = PlanInputs(2026, 2025, ("A",), ("T1", "T2"), {"A": "T1"}, {"A": 10}, {"T1": 4, "T2": 6},
                        {("A", "T1"): D(2), ("A", "T2"): D(1)}, "USD")
    proposal = propose(inputs)
    assert proposal.solver_status == "optimal_fewer_reps_than_territories" and proposal.proposed == {"A": "T2"}
    # equal demand: the lower id is covered
    tie = PlanInputs(2026, 2025, ("A",), ("T1", "T2"), {"A": "T2"}, {"A": 10}, {"T1": 5, "T2": 5},
                     {("A", "T1"): D(1), ("A", "T2"): D(2)}, "USD")
    assert propose(tie).proposed == {"A": "T1"}


def test_the_bi_rows_name_the_moves_and_who_is_affected():
    proposal = propose(tiny({"A": "T2", "B": "T1", "C": "T1"}))
    rows = {r["employee_id"]: r for r in proposal_rows(proposal)}
    assert [(r, rows[r]["is_move"], rows[r]["current_expected_bookings"], rows[r]["proposed_expected_bookings"])
            for r in "ABC"] == [("A", True, D(500), D(1000)), ("B", False, D(800), D(800)), ("C", True, D(1200), D(1400))]
    summary = {r["territory_id"]: r for r in summary_rows(proposal, None)}
    assert (summary["T1"]["reps_in"], summary["T1"]["reps_out"], summary["T2"]["reps_in"], summary["T2"]["reps_out"]) \
        == ("A", "C", "C", "A")
    assert summary["T1"]["current_capacity"] == 30 and summary["T1"]["proposed_capacity"] == 20
    assert summary["T1"]["held_back_current_bookings"] is None


# ---------------------------------------------------------------- backtest on a case with a known answer


def _fit_rows(year: int, values: dict[tuple[str, str], Decimal], closed: dict[tuple[str, str], int]) -> list[dict]:
    demand = {t: sum(n for (_, u), n in closed.items() if u == t) for t in ("T1", "T2")}
    return [
        {"history_year": year, "employee_id": r, "territory_id": t, "is_default_territory": False,
         "closed_deals": closed[(r, t)], "segment_closed_deals": demand[t],
         # both territories' average rep: 0.5 x 130 = 65 an opportunity
         "segment_win_rate": D("0.5"), "segment_value_per_won_deal": D(130),
         "territory_win_rate": D("0.5"), "territory_value_per_won_deal": D(130),
         "expected_value_per_opportunity": v, "currency": "USD"}
        for (r, t), v in values.items()
    ]


def test_backtest_the_proposal_from_year_one_beats_the_actual_assignment_on_the_held_back_year():
    # Two reps, each truly better in the territory the other works: A earns 100 an opportunity in
    # T2 and 40 in T1, B 90 in T1 and 30 in T2. Year 1 (2025) shows it with noise; the held-back
    # year (2026) shows it again. Each works 10 opportunities a year, T1 and T2 as many.
    closed = {("A", "T1"): 5, ("A", "T2"): 5, ("B", "T1"): 5, ("B", "T2"): 5}
    year_one = {("A", "T1"): D(45), ("A", "T2"): D(95), ("B", "T1"): D(85), ("B", "T2"): D(35)}
    held_back = {("A", "T1"): D(40), ("A", "T2"): D(100), ("B", "T1"): D(90), ("B", "T2"): D(30)}
    fit = pl.DataFrame(_fit_rows(2025, year_one, closed) + _fit_rows(2026, held_back, closed))
    assignments = pl.DataFrame([
        {"employee_id": "A", "territory_id": "T1", "start_date": date(2025, 1, 1), "end_date": None, "is_usable": True},
        {"employee_id": "B", "territory_id": "T2", "start_date": date(2025, 1, 1), "end_date": None, "is_usable": True},
    ])
    inputs = plan_inputs(fit, assignments, 2026)
    assert inputs.current == {"A": "T1", "B": "T2"} and inputs.capacity == {"A": 10, "B": 10}
    proposal = propose(inputs)
    assert proposal.proposed == {"A": "T2", "B": "T1"}  # the swap
    result = evaluate(proposal, {k: v for k, v in held_back.items()})
    # actual: 10 x 40 + 10 x 30 = 700; proposed: 10 x 100 + 10 x 90 = 1900; uplift 1200 / 700
    assert (result["current"], result["proposed"]) == (D(700), D(1900))
    assert result["uplift"] == D(1200) / D(700)
    reps, territories, backtests = territory_proposals(fit, assignments)
    assert [b["plan_year"] for b in backtests] == [2026]  # 2027 has no held-back year yet
    # knowing only the territories' averages (65 both) nothing moves: the whole gain is the reps' fit
    assert backtests[0]["pooled_proposed"] == D(700) and backtests[0]["proposed"] == D(1900)
    assert sorted(reps["plan_year"].unique().to_list()) == [2026, 2027]
    assert territories.filter(pl.col("plan_year") == 2026)["held_back_proposed_bookings"].sum() == D(1900)


def test_the_territories_only_baseline_values_every_rep_at_the_territorys_average_skill_figures():
    # The plain averages carry the skill of whoever works a territory most: T2's 0.1 win rate is
    # one weak rep's. The baseline that knows no rep uses the figures for a rep of average skill
    # (territory_win_rate x territory_value_per_won_deal): T1 0.3 x 100 = 30, T2 0.4 x 100 = 40.
    closed = {("A", "T1"): 5, ("A", "T2"): 5, ("B", "T1"): 5, ("B", "T2"): 5}
    rows = _fit_rows(2025, {k: D(1) for k in closed}, closed)
    for row in rows:
        row.update({"segment_win_rate": D("0.3") if row["territory_id"] == "T1" else D("0.1"),
                    "territory_win_rate": D("0.3") if row["territory_id"] == "T1" else D("0.4"),
                    "segment_value_per_won_deal": D(100), "territory_value_per_won_deal": D(100)})
    assignments = pl.DataFrame([
        {"employee_id": "A", "territory_id": "T1", "start_date": date(2025, 1, 1), "end_date": None, "is_usable": True},
        {"employee_id": "B", "territory_id": "T2", "start_date": date(2025, 1, 1), "end_date": None, "is_usable": True},
    ])
    pooled = plan_inputs(pl.DataFrame(rows), assignments, 2026, pooled=True)
    assert pooled.value == {("A", "T1"): D(30), ("A", "T2"): D(40), ("B", "T1"): D(30), ("B", "T2"): D(40)}
