"""Territory fit: the proposed rep -> territory assignment for a plan year, against the current one.

Reads two marts only: ``fct_territory_fit`` (per history year, rep and territory, the rep's
shrunk expected bookings per opportunity there) and ``fct_territory_assignment`` (the current
assignment). For plan year ``P`` the history year is ``P - 1``:

* reps: every employee with a usable assignment to a (non-default) territory on ``P``-01-01 (of
  overlapping rows the later start wins, as in int_territory_assignment_months) and a closed deal
  in the history year; their capacity is their closed deals that year (opportunities they work);
* territories: the non-default territories; their demand share is their share of the closed deals
  of the history year (``segment_closed_deals``);
* a rep r in territory t is expected to book ``capacity_r * expected_value_per_opportunity_rt``.

The proposal maximises the expected bookings (``scipy.optimize.milp``, binary ``y[r, t]``)
subject to: each rep works exactly one territory (capacity: a rep's opportunities go to one
territory, as today); every territory is covered (at least one rep) and gets between
:data:`CAPACITY_BAND` of its demand share of the reps' total capacity (a territory is neither
starved nor flooded). Should the band make it infeasible, coverage alone is kept; with fewer reps
than territories only the territories with the most demand, one per rep, must
be covered (``solver_status`` says which); should nothing be feasible the
proposal is the current assignment. Ties are broken deterministically: staying put earns a bonus far
below any money difference, reps and territories are in id order. Money is Decimal; the solver
works on float copies of the objective, which decide the assignment but never a written amount.

Backtest (:func:`evaluate`): the proposal made on year-1 fits, scored with the fits of the
held-back plan year itself (the same capacities), against the actual assignment of that year and
against the proposal made knowing only the territories (``pooled_proposed``: every rep valued at
the territory's figures for a rep of average skill; what moving capacity toward demand alone gives,
knowing no rep).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import polars as pl

CAPACITY_BAND = (Decimal("0.8"), Decimal("1.25"))  # a territory's capacity / its demand share of all capacity
STAY_BONUS = 1e-7  # objective units (the best rep-territory value is 1): ties go to the current territory
# The assignment with capacity bands is NP-hard: proving the optimum of a company of a few hundred
# reps takes the solver hours. It stops within MIP_GAP of the optimum's bound, or after NODE_LIMIT
# branch-and-bound nodes with the best assignment found (a count, not a clock: the same inputs
# give the same proposal on any machine); solver_status says which.
MIP_GAP = 1e-3
NODE_LIMIT = 500
CENT = Decimal("0.01")


@dataclass(frozen=True)
class PlanInputs:
    """What one plan year's proposal is made from (all in id order)."""

    plan_year: int
    history_year: int
    reps: tuple[str, ...]
    territories: tuple[str, ...]
    current: dict[str, str]  # rep -> territory on the plan year's first day
    capacity: dict[str, int]  # rep -> closed deals in the history year
    demand: dict[str, int]  # territory -> closed deals in the history year
    value: dict[tuple[str, str], Decimal]  # (rep, territory) -> expected bookings per opportunity
    currency: str


@dataclass(frozen=True)
class Proposal:
    inputs: PlanInputs
    proposed: dict[str, str]  # rep -> territory
    solver_status: str  # optimal | best_found (node limit), + _coverage_only, + _fewer_reps_than_territories; or infeasible_kept_current

    def expected_bookings(self, assignment: dict[str, str], rep: str) -> Decimal:
        return self.inputs.capacity[rep] * self.inputs.value[(rep, assignment[rep])]

    def total(self, assignment: dict[str, str]) -> Decimal:
        return sum((self.expected_bookings(assignment, r) for r in self.inputs.reps), Decimal(0))


def _solve(inputs: PlanInputs, band: tuple[Decimal, Decimal] | None) -> tuple[dict[str, str], bool] | None:
    """(assignment, whether it is within MIP_GAP of the optimum) or None when nothing is feasible."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    reps, territories = inputs.reps, inputs.territories
    n_r, n_t = len(reps), len(territories)
    if n_r == 0 or n_t == 0:
        return None
    gain = np.array([[float(inputs.capacity[r] * inputs.value[(r, t)]) for t in territories] for r in reps])
    scale = max(float(np.abs(gain).max()), 1.0)
    stay = np.array([[STAY_BONUS if inputs.current.get(r) == t else 0.0 for t in territories] for r in reps])
    objective = -(gain / scale + stay).ravel()  # milp minimises
    rows, lower, upper = [], [], []
    for i in range(n_r):  # each rep exactly one territory
        row = np.zeros(n_r * n_t)
        row[i * n_t:(i + 1) * n_t] = 1
        rows.append(row), lower.append(1), upper.append(1)
    covered = covered_territories(inputs)
    for j, t in enumerate(territories):  # each (coverable) territory covered
        row = np.zeros(n_r * n_t)
        row[j::n_t] = 1
        rows.append(row), lower.append(1 if t in covered else 0), upper.append(np.inf)
    if band is not None:
        total_capacity = sum(inputs.capacity.values())
        largest = max(inputs.capacity.values())
        total_demand = sum(inputs.demand.get(t, 0) for t in covered)
        for j, t in enumerate(territories):
            if t not in covered:
                continue
            share = Decimal(inputs.demand.get(t, 0)) / total_demand if total_demand else Decimal(1) / len(covered)
            row = np.zeros(n_r * n_t)
            row[j::n_t] = [inputs.capacity[r] for r in reps]
            rows.append(row)
            lower.append(float(band[0] * share * total_capacity))
            upper.append(max(float(band[1] * share * total_capacity), largest))  # one rep always fits
    result = milp(
        objective,
        constraints=LinearConstraint(np.array(rows), np.array(lower, dtype=float), np.array(upper, dtype=float)),
        integrality=np.ones(n_r * n_t),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": MIP_GAP, "node_limit": NODE_LIMIT, "presolve": True},
    )
    if result.x is None:  # infeasible (or no assignment found within the node limit)
        return None
    chosen = np.round(result.x).reshape(n_r, n_t).argmax(axis=1)
    return {r: territories[int(chosen[i])] for i, r in enumerate(reps)}, bool(result.success)


def covered_territories(inputs: PlanInputs) -> set[str]:
    """The territories that must keep a rep: all of them, or with fewer reps than territories the
    ones with the most demand (ties by id), as many as there are reps."""
    if len(inputs.reps) >= len(inputs.territories):
        return set(inputs.territories)
    ranked = sorted(inputs.territories, key=lambda t: (-inputs.demand.get(t, 0), t))
    return set(ranked[:len(inputs.reps)])


def propose(inputs: PlanInputs, band: tuple[Decimal, Decimal] = CAPACITY_BAND) -> Proposal:
    """The assignment of ``inputs.reps`` to ``inputs.territories`` with the most expected bookings."""
    partial = "_fewer_reps_than_territories" if len(inputs.reps) < len(inputs.territories) else ""
    solved = _solve(inputs, band)
    if solved is not None:
        proposed, optimal = solved
        return Proposal(inputs, proposed, ("optimal" if optimal else "best_found") + partial)
    solved = _solve(inputs, None)
    if solved is not None:
        proposed, optimal = solved
        return Proposal(inputs, proposed, ("optimal" if optimal else "best_found") + "_coverage_only" + partial)
    return Proposal(inputs, dict(inputs.current), "infeasible_kept_current")


# ---------------------------------------------------------------- from the marts


def plan_inputs(fit: pl.DataFrame, assignments: pl.DataFrame, plan_year: int, pooled: bool = False) -> PlanInputs | None:
    """The inputs of ``plan_year`` from fct_territory_fit and fct_territory_assignment rows; None
    without fits of the history year. ``pooled``: every rep valued at the territory's figures for a
    rep of average skill (territory_win_rate x territory_value_per_won_deal), the baseline that knows
    no rep (not the plain averages, which carry the skill of whoever works the territory most)."""
    history_year = plan_year - 1
    year = fit.filter((pl.col("history_year") == history_year) & ~pl.col("is_default_territory"))
    if year.is_empty():
        return None
    first_day = pl.date(plan_year, 1, 1)
    current = (
        assignments.filter(
            pl.col("is_usable") & (pl.col("start_date") <= first_day)
            & (pl.col("end_date").is_null() | (pl.col("end_date") >= first_day))
        )
        .sort(["employee_id", "start_date", "territory_id"])
        .group_by("employee_id", maintain_order=True).last()
    )
    territories = tuple(sorted(year["territory_id"].unique().to_list()))
    current_map = {r: t for r, t in zip(current["employee_id"], current["territory_id"]) if t in territories}
    capacity = {
        r: int(c) for r, c in year.group_by("employee_id").agg(pl.col("closed_deals").sum()).iter_rows()
        if r in current_map and c > 0
    }
    reps = tuple(sorted(capacity))
    demand = {t: int(d) for t, d in year.group_by("territory_id").agg(pl.col("segment_closed_deals").max()).iter_rows()}
    value = {
        (r, t): (v if v is not None else Decimal(0))
        for r, t, v in year.select("employee_id", "territory_id", "expected_value_per_opportunity").iter_rows()
        if r in capacity
    }
    if pooled:
        average = {t: (p or Decimal(0)) * (m or Decimal(0)) for t, p, m in
                   year.select("territory_id", "territory_win_rate", "territory_value_per_won_deal").unique().iter_rows()}
        value = {(r, t): average[t] for (r, t) in value}
    currencies = year["currency"].unique().to_list()
    return PlanInputs(plan_year, history_year, reps, territories, {r: current_map[r] for r in reps}, capacity,
                      {t: demand.get(t, 0) for t in territories}, value, currencies[0] if currencies else "")


def held_back_values(fit: pl.DataFrame, plan_year: int) -> dict[tuple[str, str], Decimal]:
    """(rep, territory) -> expected bookings per opportunity estimated on the plan year's own deals."""
    year = fit.filter((pl.col("history_year") == plan_year) & ~pl.col("is_default_territory"))
    return {(r, t): v for r, t, v in year.select("employee_id", "territory_id", "expected_value_per_opportunity").iter_rows()
            if v is not None}


def evaluate(proposal: Proposal, held_back: dict[tuple[str, str], Decimal]) -> dict:
    """Expected bookings of the current and the proposed assignment scored with the held-back
    year's values (the plan's capacities), over the reps with a held-back value in both territories."""
    inputs = proposal.inputs
    reps = [r for r in inputs.reps
            if (r, inputs.current[r]) in held_back and (r, proposal.proposed[r]) in held_back]
    current = sum((inputs.capacity[r] * held_back[(r, inputs.current[r])] for r in reps), Decimal(0))
    proposed = sum((inputs.capacity[r] * held_back[(r, proposal.proposed[r])] for r in reps), Decimal(0))
    return {"plan_year": inputs.plan_year, "reps": len(reps), "current": current, "proposed": proposed,
            "uplift": (proposed - current) / current if current else None}


# ---------------------------------------------------------------- the BI tables


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def proposal_rows(proposal: Proposal) -> list[dict]:
    """One row per rep: current and proposed territory, capacity and expected bookings of each."""
    inputs, rows = proposal.inputs, []
    for r in inputs.reps:
        current = proposal.expected_bookings(inputs.current, r)
        proposed = proposal.expected_bookings(proposal.proposed, r)
        rows.append({
            "plan_year": inputs.plan_year, "history_year": inputs.history_year, "employee_id": r,
            "current_territory_id": inputs.current[r], "proposed_territory_id": proposal.proposed[r],
            "is_move": inputs.current[r] != proposal.proposed[r], "capacity_opportunities": inputs.capacity[r],
            "current_expected_bookings": cents(current), "proposed_expected_bookings": cents(proposed),
            "expected_bookings_change": cents(proposed) - cents(current), "currency": inputs.currency,
            "solver_status": proposal.solver_status,
        })
    return rows


def summary_rows(proposal: Proposal, held_back: dict[tuple[str, str], Decimal] | None) -> list[dict]:
    """One row per territory: reps and capacity before and after, who moves in and out, expected
    bookings of each assignment, and (when the plan year's deals are known) the held-back score."""
    inputs, rows = proposal.inputs, []
    total_demand = sum(inputs.demand.values())
    for t in inputs.territories:
        now = [r for r in inputs.reps if inputs.current[r] == t]
        then = [r for r in inputs.reps if proposal.proposed[r] == t]

        def held(assignment: dict[str, str], members: list[str]) -> Decimal | None:
            if held_back is None:
                return None
            return cents(sum((inputs.capacity[r] * held_back[(r, t)] for r in members if (r, t) in held_back
                              and (r, inputs.current[r]) in held_back and (r, proposal.proposed[r]) in held_back),
                             Decimal(0)))

        rows.append({
            "plan_year": inputs.plan_year, "history_year": inputs.history_year, "territory_id": t,
            "demand_share": float(inputs.demand[t] / total_demand) if total_demand else None,
            "current_reps": len(now), "proposed_reps": len(then),
            "reps_in": ",".join(r for r in then if r not in now), "reps_out": ",".join(r for r in now if r not in then),
            "current_capacity": sum(inputs.capacity[r] for r in now),
            "proposed_capacity": sum(inputs.capacity[r] for r in then),
            "current_expected_bookings": cents(sum((proposal.expected_bookings(inputs.current, r) for r in now), Decimal(0))),
            "proposed_expected_bookings": cents(sum((proposal.expected_bookings(proposal.proposed, r) for r in then), Decimal(0))),
            "held_back_current_bookings": held(inputs.current, now),
            "held_back_proposed_bookings": held(proposal.proposed, then),
            "currency": inputs.currency, "solver_status": proposal.solver_status,
        })
    return rows


PROPOSAL_FILE = "territory_proposal.parquet"
SUMMARY_FILE = "territory_proposal_summary.parquet"
AMOUNT = pl.Decimal(38, 2)
PROPOSAL_SCHEMA = {
    "plan_year": pl.Int64, "history_year": pl.Int64, "employee_id": pl.Utf8, "current_territory_id": pl.Utf8,
    "proposed_territory_id": pl.Utf8, "is_move": pl.Boolean, "capacity_opportunities": pl.Int64,
    "current_expected_bookings": AMOUNT, "proposed_expected_bookings": AMOUNT, "expected_bookings_change": AMOUNT,
    "currency": pl.Utf8, "solver_status": pl.Utf8,
}
SUMMARY_SCHEMA = {
    "plan_year": pl.Int64, "history_year": pl.Int64, "territory_id": pl.Utf8, "demand_share": pl.Float64,
    "current_reps": pl.Int64, "proposed_reps": pl.Int64, "reps_in": pl.Utf8, "reps_out": pl.Utf8,
    "current_capacity": pl.Int64, "proposed_capacity": pl.Int64, "current_expected_bookings": AMOUNT,
    "proposed_expected_bookings": AMOUNT, "held_back_current_bookings": AMOUNT,
    "held_back_proposed_bookings": AMOUNT, "currency": pl.Utf8, "solver_status": pl.Utf8,
}


def read_marts(con) -> tuple[pl.DataFrame, pl.DataFrame]:
    from assets.forecasts.extract import _frame

    fit = _frame(con, "select * from fct_territory_fit order by history_year, employee_id, territory_id")
    assignments = _frame(con, "select * from fct_territory_assignment order by employee_id, start_date, territory_id")
    return fit, assignments


def plan_years(fit: pl.DataFrame) -> list[int]:
    """Every plan year after a history year: the backtests' and the next one."""
    return sorted({int(y) + 1 for y in fit["history_year"].unique().to_list()})


def territory_proposals(fit: pl.DataFrame, assignments: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, list[dict]]:
    """(per-rep rows, per-territory rows, backtests) of every plan year with a history year."""
    reps, territories, backtests = [], [], []
    for plan_year in plan_years(fit):
        inputs = plan_inputs(fit, assignments, plan_year)
        if inputs is None or not inputs.reps:
            continue
        proposal = propose(inputs)
        held = held_back_values(fit, plan_year) or None
        reps += proposal_rows(proposal)
        territories += summary_rows(proposal, held)
        if held is not None:
            # the baseline: the same proposal knowing only the territories' averages (no rep's fit)
            pooled = propose(plan_inputs(fit, assignments, plan_year, pooled=True))
            pooled = Proposal(inputs, pooled.proposed, pooled.solver_status)
            backtests.append({**evaluate(proposal, held), "pooled_proposed": evaluate(pooled, held)["proposed"]})
    return (pl.DataFrame(reps, schema=PROPOSAL_SCHEMA, orient="row"),
            pl.DataFrame(territories, schema=SUMMARY_SCHEMA, orient="row"), backtests)


def write_territory_proposals(warehouse: Path, out_dir: Path) -> dict:
    """Read the marts, write both tables under ``out_dir``; returns counts and the backtests."""
    from assets.ingest.load import write_parquet_atomic
    from core.warehouse import read_only

    with read_only(warehouse) as con:
        fit, assignments = read_marts(con)
    reps, territories, backtests = territory_proposals(fit, assignments)
    write_parquet_atomic(reps, Path(out_dir) / PROPOSAL_FILE)
    write_parquet_atomic(territories, Path(out_dir) / SUMMARY_FILE)
    return {"reps": reps.height, "territories": territories.height, "moves": int(reps["is_move"].sum() or 0),
            "backtests": backtests}
