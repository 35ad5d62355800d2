"""The coaching backtest (docs/insights.md#the-coaching-backtest): do the coaching gaps measured in
one plan year predict the next year's attainment shortfall better than chance?

    python -m bench.coaching WAREHOUSE [--year 2025] [--plots FOLDER]   (JSON on stdout)

Reads marts only (``fct_payee_coaching_need``, ``fct_payee_coaching_area``, ``fct_attainment``,
``fct_payee_attainment_flag``):

* coaching gap of a payee in year 1 = Σ credit_cost of the quarters (the weakest area's cost,
  fct_payee_coaching_need) / Σ pipeline value of the payee's closed deals (the 'overall' area):
  the share of the pipeline the weakness cost, comparable across payees of any size;
* attainment shortfall in year 2 = 1 - attainment_ytd at the payee's newest period of year 2
  (fct_attainment: own credit against quota), for the payees whose plan pays on own credit then
  (fct_payee_attainment_flag.measure; a manager paid on the team's credit is left out);
* the Spearman rank correlation of the two over the payees with both (average ranks for ties),
  better than chance when above the one-sided 95% critical value 1.645 / √(n - 1) (the normal
  approximation of the rank correlation of n independent pairs).

It also names each payee's most often weakest area of the year (``weakest_areas``, what the
demo's hidden weaknesses are checked against) and draws the coaching gaps per team
(``plot_team_gaps``, one PNG per team manager).
"""

from __future__ import annotations

import argparse
import io
import json
import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import polars as pl  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

ONE_SIDED_95 = 1.645
STYLE = {"font.family": "DejaVu Sans", "svg.hashsalt": "spm", "path.simplify": False}


# ---------------------------------------------------------------- the statistics (pure)


def average_ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing the average of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for k in range(start, end + 1):
            ranks[order[k]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rank correlation: Pearson's correlation of the average ranks; None when undefined."""
    if len(x) != len(y):
        raise ValueError("x and y differ in length")
    n = len(x)
    if n < 3:
        return None
    rx, ry = average_ranks(x), average_ranks(y)
    mx, my = sum(rx) / n, sum(ry) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def chance_threshold(n: int) -> float:
    """The rank correlation above which n independent pairs would fall 5% of the time."""
    return ONE_SIDED_95 / math.sqrt(n - 1)


def better_than_chance(rho: float | None, n: int) -> bool:
    return rho is not None and n >= 3 and rho > chance_threshold(n)


# ---------------------------------------------------------------- the marts


def _frame(con, sql: str, params: Sequence | None = None) -> pl.DataFrame:
    cursor = con.execute(sql, list(params or []))
    columns = [d[0] for d in cursor.description]
    return pl.DataFrame(cursor.fetchall(), schema=columns, orient="row")


def coaching_gaps(con, plan_year: int) -> pl.DataFrame:
    """Per payee with enough data in the plan year: credit_cost, pipeline_value, coaching_gap (DOUBLE
    share), flagged_quarters, team (the newest quarter's manager)."""
    return _frame(con, """
        with need as (
            select employee_id, quarter, team_manager_employee_id, credit_cost, is_flagged
            from fct_payee_coaching_need
            where plan_year = ? and coaching_status <> 'not enough data'
        ),
        pipeline as (
            select employee_id, quarter, pipeline_value
            from fct_payee_coaching_area
            where plan_year = ? and area_type = 'overall'
        )
        select
            need.employee_id,
            arg_max(need.team_manager_employee_id, need.quarter) as team_manager_employee_id,
            count(*) as quarters,
            sum(case when need.is_flagged then 1 else 0 end) as flagged_quarters,
            sum(need.credit_cost) as credit_cost,
            sum(pipeline.pipeline_value) as pipeline_value,
            cast(sum(need.credit_cost) / nullif(sum(pipeline.pipeline_value), 0) as double) as coaching_gap
        from need
        inner join pipeline using (employee_id, quarter)
        group by need.employee_id
        order by need.employee_id""", [plan_year, plan_year])


def attainment_shortfall(con, plan_year: int) -> pl.DataFrame:
    """Per payee with a quota in the plan year whose plan pays on own credit at the newest period
    (fct_payee_attainment_flag.measure 'own_credit': a manager paid on the team's credit is not
    judged by their own deals): attainment_ytd (fct_attainment) then, shortfall = 1 - it."""
    return _frame(con, """
        with newest as (
            select employee_id, max(period) as period
            from fct_attainment
            where plan_year = ? and quota_ytd > 0
            group by employee_id
        )
        select newest.employee_id, newest.period,
               cast(attainment.attainment_ytd as double) as attainment,
               1 - cast(attainment.attainment_ytd as double) as shortfall
        from newest
        inner join fct_attainment as attainment
            on newest.employee_id = attainment.employee_id and newest.period = attainment.period
        inner join fct_payee_attainment_flag as flag
            on newest.employee_id = flag.employee_id and newest.period = flag.period
        where flag.measure = 'own_credit'
        order by newest.employee_id""", [plan_year])


def weakest_areas(con, plan_year: int) -> pl.DataFrame:
    """Per payee: the area named weakest in most quarters of the plan year with enough data (ties:
    the larger credit cost, then the name), and in how many quarters."""
    return _frame(con, """
        with named as (
            select employee_id, weakest_area_type, weakest_area,
                   count(*) as quarters, sum(credit_cost) as credit_cost
            from fct_payee_coaching_need
            where plan_year = ? and weakest_area is not null
            group by employee_id, weakest_area_type, weakest_area
        )
        select employee_id, weakest_area_type, weakest_area, quarters, credit_cost
        from named
        qualify row_number() over (
            partition by employee_id order by quarters desc, credit_cost desc, weakest_area) = 1
        order by employee_id""", [plan_year])


def backtest(con, year: int) -> dict:
    """Year-``year`` coaching gaps against year-``year + 1`` shortfall: n, rho, threshold, verdict."""
    joined = coaching_gaps(con, year).join(attainment_shortfall(con, year + 1), on="employee_id", how="inner")
    joined = joined.filter(pl.col("coaching_gap").is_not_null() & pl.col("shortfall").is_not_null())
    n = joined.height
    rho = spearman(joined["coaching_gap"].to_list(), joined["shortfall"].to_list())
    return {
        "gap_year": year,
        "shortfall_year": year + 1,
        "payees": n,
        "spearman": None if rho is None else round(rho, 4),
        "chance_threshold": round(chance_threshold(n), 4) if n >= 3 else None,
        "better_than_chance": better_than_chance(rho, n),
    }


# ---------------------------------------------------------------- the plot per team


def plot_team_gaps(gaps: pl.DataFrame, folder: Path, year: int) -> list[Path]:
    """One bar chart per team: each payee's coaching gap (share of pipeline), flagged payees darker,
    the weakest area on the bar when ``gaps`` has a weakest_area column (``weakest_areas``).
    Stable bytes: fixed size, DejaVu font, no metadata."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    teams = gaps.with_columns(pl.col("team_manager_employee_id").fill_null("(no manager)"))
    for team in sorted(teams["team_manager_employee_id"].unique().to_list()):
        rows = teams.filter(pl.col("team_manager_employee_id") == team).sort("employee_id")
        with matplotlib.rc_context(STYLE):
            figure = Figure(figsize=(8, 4), dpi=100)
            FigureCanvasAgg(figure)
            axes = figure.add_subplot()
            colours = ["#b2182b" if f else "#92c5de" for f in (rows["flagged_quarters"] > 0).to_list()]
            heights = [100 * (g or 0) for g in rows["coaching_gap"].to_list()]
            bars = axes.bar(rows["employee_id"].to_list(), heights, color=colours)
            if "weakest_area" in rows.columns:  # the area named most often, on its bar
                for bar, area in zip(bars, rows["weakest_area"].to_list(), strict=True):
                    if area:
                        axes.annotate(area, (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                                      ha="center", va="bottom", fontsize=7, rotation=90)
                axes.set_ylim(0, max(heights + [1]) * 1.35)
            axes.set_ylabel("credit the weakest area cost, % of pipeline")
            axes.set_title(f"Coaching gaps {year}, team of {team} (dark: flagged in a quarter)")
            axes.tick_params(axis="x", labelrotation=45)
            figure.tight_layout()
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", metadata={"Software": None})
        path = folder / f"coaching_gaps_{year}_{team}.png"
        path.write_bytes(buffer.getvalue())
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    from core.warehouse import read_only

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--year", type=int, default=2025, help="the year the gaps are measured in")
    parser.add_argument("--plots", type=Path, help="write a plot per team here")
    args = parser.parse_args(argv)
    with read_only(args.warehouse) as con:
        result = backtest(con, args.year)
        if args.plots:
            gaps = coaching_gaps(con, args.year).join(
                weakest_areas(con, args.year).select("employee_id", "weakest_area"), on="employee_id", how="left"
            )
            result["plots"] = [str(p) for p in plot_team_gaps(gaps, args.plots, args.year)]
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
