"""Forecasts end to end: a generated demo company through the whole job, then what the forecast files say.

One small company is generated and the pipeline job (ingest, dbt, checks,
payouts, forecasts) materialized once per module.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest

from assets.forecasts.extract import rates_on
from assets.forecasts.runner import FORECAST_DIR, bookings_forecast_run, simulation_inputs
from assets.forecasts.simulation import simulate
from core.money import round_money
from tests.support.demo import demo_environment

pytestmark = pytest.mark.slow  # reads the session's demo run


@pytest.fixture(scope="module")
def pipeline(demo_pipeline):
    """The session's demo run (tests/conftest.py), with its settings in the environment."""
    paths, result, root = demo_pipeline
    with demo_environment(paths, root):
        yield paths, result, root


def _materialization(result, key: str):
    events = [e for e in result.all_events if e.event_type_value == "ASSET_MATERIALIZATION"
              and e.event_specific_data.materialization.asset_key.to_user_string() == key]
    assert events, f"{key} was not materialized"
    return events[-1].event_specific_data.materialization


def test_the_job_materializes_both_forecasts_with_backtest_metadata(pipeline):
    paths, result, _ = pipeline
    assert result.success
    bookings = _materialization(result, "bookings_forecast")
    for level in ("payee", "team", "company"):
        assert f"wape_model_{level}" in bookings.metadata
        assert f"wape_seasonal_naive_{level}" in bookings.metadata
    plot = Path(bookings.metadata["company_plot"].value)
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert plot.parent.parent == paths.export_dir / FORECAST_DIR
    payout = _materialization(result, "payout_forecast")
    assert payout.metadata["closed_period_matches_actual"].value is True
    assert set(payout.metadata["company_bookings_by_month"].value) == {
        "2026-11", "2026-12", "2027-01", "2027-02", "2027-03", "2027-04", "2027-05"}


def test_the_company_forecast_beats_seasonal_naive_in_the_backtest(pipeline):
    paths, _, _ = pipeline
    wape = pl.read_parquet(paths.export_dir / FORECAST_DIR / "backtest_wape.parquet")
    company = wape.filter(pl.col("level") == "company").row(0, named=True)
    assert company["months"] == 6
    assert company["wape_model"] < company["wape_seasonal_naive"]


def test_the_bookings_forecast_adds_up_and_covers_the_horizon(pipeline):
    paths, _, _ = pipeline
    forecast = pl.read_parquet(paths.export_dir / FORECAST_DIR / "bookings_forecast.parquet")
    company = forecast.filter(pl.col("level") == "company").sort("period")
    assert company.height == 7 and company["period"][0] == "2026-11"  # the as-of month and the next six
    for row in company.iter_rows(named=True):
        parts = row["actual_to_date"] + row["pipeline_expected"] + row["timeseries_component"]
        assert abs(parts - row["forecast"]) <= Decimal("0.02")
        assert row["p10"] <= row["forecast"] <= row["p90"]
    # the company's pipeline is the sum of what the payees' pipelines hold, in the corporate currency,
    # so it is positive whenever any payee has pipeline
    assert company["pipeline_expected"].sum() > 0


def test_p50_payout_of_the_closed_month_equals_the_engines_actual_payout(pipeline):
    paths, _, _ = pipeline
    payout = pl.read_parquet(paths.export_dir / FORECAST_DIR / "payout_forecast.parquet")
    closed = "2026-10"
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        rows = con.execute(
            "select employee_id, currency, sum(payable_amount) from fct_payable where period = ? group by all",
            [closed],
        ).fetchall()
    finally:
        con.close()
    actual = {(e, c): round_money(Decimal(a), c) for e, c, a in rows}
    assert actual and sum(actual.values()) > 0
    for scenario in ("P10", "P50", "P90"):
        lines = payout.filter((pl.col("scenario") == scenario) & (pl.col("period") == closed))
        assert {(e, c): a for e, c, a in lines.select("employee_id", "currency", "payable_amount").iter_rows()} == actual
    # the open month gets the simulated deals: each scenario pays more in November than the actual so far
    november = payout.filter(pl.col("period") == "2026-11").group_by("scenario").agg(pl.col("payable_amount").sum())
    totals = dict(november.iter_rows())
    assert all(totals[s] > totals["actual"] for s in ("P10", "P50", "P90"))


def test_attainment_forecast_is_bookings_over_quota(pipeline):
    paths, _, _ = pipeline
    attainment = pl.read_parquet(paths.export_dir / FORECAST_DIR / "attainment_forecast.parquet")
    rows = attainment.filter(pl.col("quota") > 0)
    assert rows.height > 0 and set(rows["level"].unique()) == {"payee", "team"}
    for row in rows.head(20).iter_rows(named=True):
        # the file's bookings and quota are rounded to the cent; attainment is their unrounded ratio
        tolerance = 0.01 / float(row["quota"]) * (1 + row["attainment"])
        assert row["attainment"] == pytest.approx(float(row["bookings_forecast"]) / float(row["quota"]), abs=tolerance)


def _digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_rerun_writes_the_same_bytes(pipeline, tmp_path):
    """The bookings forecast is rewritten byte for byte; the payout forecast's scenarios are the same
    simulations with the same won deals (the engine runs on them are dbt's, deterministic themselves)."""
    paths, _, _ = pipeline
    bookings_forecast_run(paths.warehouse, tmp_path)
    first, again = _digests(paths.export_dir / FORECAST_DIR), _digests(tmp_path / FORECAST_DIR)
    payout_files = {"payout_forecast.parquet", "payout_summary.parquet", "payout_forecast.json"}
    payout_plots = {k for k in first if k.startswith("plots/payout_")}  # the payout forecast's, one per currency
    assert payout_plots
    # the planning asset's territory proposal tables (assets/planning/proposal.py) share the folder
    proposal_files = {"territory_proposal.parquet", "territory_proposal_summary.parquet"}
    assert {k: v for k, v in first.items() if k not in payout_files | payout_plots | proposal_files} == again
    assert any(k.startswith("plots/team_") for k in again)
    summary = json.loads((paths.export_dir / FORECAST_DIR / "payout_forecast.json").read_text())
    inputs = simulation_inputs(tmp_path / FORECAST_DIR)
    _, scenarios = simulate(inputs.deals, inputs.slip, inputs.origin, inputs.last_month,
                            new_business=inputs.new_business, n_simulations=summary["simulations"],
                            seed=summary["seed"])
    assert [(s.name, s.simulation, s.won.height, s.new_deals.height) for s in scenarios] == [
        (s["name"], s["simulation"], s["won_deals"], s["new_business_deals"]) for s in summary["scenarios"]
    ]
    assert all(s.new_deals["opportunity_id"].str.starts_with("FCST-").all() for s in scenarios)


def _company_forecast(paths) -> dict[str, dict]:
    forecast = pl.read_parquet(paths.export_dir / FORECAST_DIR / "bookings_forecast.parquet")
    company = forecast.filter(pl.col("level") == "company").select("period", "actual_to_date", "forecast", "p10", "p90")
    return {r["period"]: {k: float(v) for k, v in r.items() if k != "period"} for r in company.iter_rows(named=True)}


def test_simulated_bookings_with_new_business_follow_the_bookings_forecast(pipeline):
    """The payout scenarios book what the bookings forecast forecasts: pipeline and new business."""
    paths, _, _ = pipeline
    summary = json.loads((paths.export_dir / FORECAST_DIR / "payout_forecast.json").read_text())
    forecast = _company_forecast(paths)
    n = summary["simulations"]
    assert set(summary["company_bookings_by_month"]) == set(forecast)
    far = max(forecast)
    for period, sim in summary["company_bookings_by_month"].items():
        expected = forecast[period]["forecast"] - forecast[period]["actual_to_date"]  # the scenarios add the future
        # the simulations' mean is the forecast up to Monte Carlo error: 4 standard errors of a mean of n draws,
        # and 0.5% for what the simulation counts and the forecast does not (deals of CRM users without an HR record)
        assert abs(sim["mean"] - expected) <= 4 * sim["sd"] / n**0.5 + 0.005 * expected + 0.01, period
        # the range is the bookings forecast's: new business varies as the time series does (at least)
        band = forecast[period]["p90"] - forecast[period]["p10"]
        assert sim["P90"] - sim["P10"] >= 0.8 * band, period
    # far months are new business: without it they would book (almost) nothing
    assert summary["company_bookings_by_month"][far]["mean"] > 0.5 * forecast[far]["forecast"]
    for scenario in summary["scenarios"]:
        # each scenario is typical month by month: the P50 inside the bookings forecast's P10-P90 band of every
        # month, P10 and P90 (near the band's edges) inside it widened by half its width on each side
        margin = 0.0 if scenario["name"] == "P50" else 0.5
        for period, booked in scenario["company_bookings_by_month"].items():
            total = booked + forecast[period]["actual_to_date"]
            lo, hi = forecast[period]["p10"], forecast[period]["p90"]
            assert lo - margin * (hi - lo) - 0.01 <= total <= hi + margin * (hi - lo) + 0.01, (scenario["name"], period)
        assert scenario["new_business_deals"] > 0
    p50 = next(s for s in summary["scenarios"] if s["name"] == "P50")
    horizon = sum(f["forecast"] - f["actual_to_date"] for f in forecast.values())
    assert abs(p50["company_bookings"] - horizon) <= 0.02 * horizon  # the median total: within 2% of the forecast's


def test_the_far_months_payout_is_in_the_range_of_recent_actual_payouts(pipeline):
    """December (the last forecast month with plans: 2027 has none in the demo) pays like recent months,
    all currencies at the origin's rates, now that new business is simulated."""
    paths, _, _ = pipeline
    summary = json.loads((paths.export_dir / FORECAST_DIR / "payout_forecast.json").read_text())
    as_of = date.fromisoformat(summary["as_of"])
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        rates = rates_on(pl.from_arrow(con.sql(
            "select currency_code, start_date, next_start_date, cast(conversion_rate as double) as rate "
            "from stg_salesforce__dated_conversion_rates").to_arrow_table()), as_of, "USD")
        actual = con.execute(
            "select period, currency, cast(sum(payable_amount) as double) from fct_payable "
            "where period between ? and ? group by all", ["2025-11", summary["closed_period"]]).fetchall()
    finally:
        con.close()
    monthly: dict[str, float] = {}
    for period, currency, amount in actual:
        monthly[period] = monthly.get(period, 0.0) + amount / rates[currency]
    assert len(monthly) == 12
    payout = pl.read_parquet(paths.export_dir / FORECAST_DIR / "payout_summary.parquet")
    december = {
        scenario: sum(float(a) / rates[c] for c, a in rows.select("currency", "payable_amount").iter_rows())
        for (scenario,), rows in payout.filter(pl.col("period") == "2026-12").group_by(["scenario"])
    }
    recent = sorted(monthly.values())
    print(f"recent actual {recent[0]:,.0f}..{recent[-1]:,.0f} (lower quartile {recent[2]:,.0f}), December {december}")
    # December books like a typical month (the bookings test above), so it pays like one: inside the range and
    # above its bottom quarter (at least three of the twelve months paid less). The pipeline alone did not reach
    # that: at scale 1 its December P50 paid 1.05M against a lower quartile of 1.09M (docs/forecasts.md)
    assert recent[2] <= december["P50"] <= recent[-1]


def _landed_payable(raw_dir: Path, scenario, work_dir: Path, periods: list[str], base_warehouse=None):
    """The reference: one scenario as the CRM would send it (its won deals as newer versions of
    themselves, its new business as new deals) through the engine as the pipeline runs it."""
    from assets.forecasts.scenarios import landed_records, mirror_raw, read_payable, run_engine, write_records

    mirror_raw(raw_dir, work_dir / "raw")
    write_records(work_dir / "raw", landed_records(raw_dir, scenario.won, scenario.name, scenario.new_deals),
                  scenario.name)
    return read_payable(run_engine(work_dir / "raw", work_dir, base_warehouse), periods)


def test_all_scenarios_in_one_engine_build_pay_what_each_scenario_alone_pays(pipeline, tmp_path):
    """The payout forecast builds the engine once for P10, P50 and P90 on a copy of the warehouse
    (each scenario's deals side by side, the payee-period arithmetic once per scenario). Each
    scenario's payable equals the engine's on that scenario alone as the CRM would send it: P90
    built from nothing, P10 incrementally on a copy of the warehouse."""
    from assets.forecasts.scenarios import scenarios_payable
    from core.dbt import scratch_warehouse

    paths, _, _ = pipeline
    inputs = simulation_inputs(paths.export_dir / FORECAST_DIR)
    _, scenarios = simulate(inputs.deals, inputs.slip, inputs.origin, inputs.last_month,
                            new_business=inputs.new_business, n_simulations=50, seed=7)
    by_name = {s.name: s for s in scenarios}
    assert all(s.won.height and s.new_deals.height for s in scenarios)
    periods = [f"2026-{m:02d}" for m in range(1, 13)]
    together = scenarios_payable(paths.raw_dir, scenarios, tmp_path / "together", periods,
                                 base_warehouse=paths.warehouse)
    assert set(together) == {"P10", "P50", "P90"} and all(f.height > 0 for f in together.values())
    assert not together["P10"].equals(together["P90"])  # the scenarios differ, each in its own payees
    assert together["P90"].equals(_landed_payable(paths.raw_dir, by_name["P90"], tmp_path / "alone_p90", periods))
    assert together["P10"].equals(_landed_payable(paths.raw_dir, by_name["P10"], tmp_path / "alone_p10", periods,
                                                  base_warehouse=paths.warehouse))
    # and the one build recomputed only the scenarios' deals
    con = duckdb.connect(str(scratch_warehouse(tmp_path / "together")), read_only=True)
    try:
        touched, full_rebuild = con.execute(
            "select count(*), coalesce(bool_or(full_rebuild), false) from int_engine_touched_opportunities"
        ).fetchone()
    finally:
        con.close()
    assert not full_rebuild
    assert 0 < touched <= sum(s.won.height + s.new_deals.height for s in scenarios)
