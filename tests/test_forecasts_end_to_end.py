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

from tests.conftest import demo_environment
from assets.currencies import round_money
from assets.forecasts.runner import FORECAST_DIR, bookings_forecast_run
from assets.forecasts.simulation import simulate


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
    assert {k: v for k, v in first.items() if k not in payout_files} == again
    assert any(k.startswith("plots/team_") for k in again)
    summary = json.loads((paths.export_dir / FORECAST_DIR / "payout_forecast.json").read_text())
    forecast_dir = tmp_path / FORECAST_DIR
    deals = pl.read_parquet(forecast_dir / "open_pipeline.parquet").with_columns(pl.col("amount_corporate").cast(pl.Float64))
    slip = tuple(pl.read_parquet(forecast_dir / "slippage.parquet").sort("months_late")["share_of_won"].to_list())
    periods = sorted(pl.read_parquet(forecast_dir / "bookings_forecast.parquet")["period"].unique().to_list())
    last = int(periods[-1][:4]) * 12 + int(periods[-1][5:]) - 1
    _, scenarios = simulate(deals, slip, date.fromisoformat(summary["as_of"]), last, n_simulations=summary["simulations"],
                            seed=summary["seed"])
    assert [(s.name, s.simulation, s.won.height) for s in scenarios] == [
        (s["name"], s["simulation"], s["won_deals"]) for s in summary["scenarios"]
    ]
