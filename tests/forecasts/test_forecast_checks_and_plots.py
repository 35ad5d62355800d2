"""The forecasts' P10 <= P50 <= P90 checks on hand-made frames, the payout plot's bytes, the progress lines."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import polars as pl

from assets.forecasts.checks import check_payout_scenarios, check_quantile_order
from assets.forecasts.runner import write_payout_plots
from core.progress import parse_progress, step_progress
from assets.forecasts.tables import (
    payout_order_exceptions,
    quantile_order_violations,
    scenario_order_problems,
)

D = pl.Decimal(38, 2)


def _bookings(rows) -> pl.DataFrame:
    """bookings_forecast.parquet's columns, one row per (entity, period, p10, forecast, p90)."""
    return pl.DataFrame(
        [("payee", e, e, "USD", p, 0, "ses", "0", "0", 0.0, "0", f, lo, hi) for e, p, lo, f, hi in rows],
        schema=["level", "entity_id", "entity_name", "currency", "period", "horizon", "model", "actual_to_date",
                "pipeline_expected", "new_business_share", "timeseries_component", "forecast", "p10", "p90"],
        orient="row",
    ).with_columns(pl.col("actual_to_date", "pipeline_expected", "timeseries_component", "forecast", "p10",
                          "p90").cast(D))


def test_rows_out_of_quantile_order_are_found_and_nulls_are_not_held_to_it():
    frame = pl.DataFrame({
        "id": [1, 2, 3, 4, 5, 6],
        "p10": [1.0, 5.0, 1.0, None, 2.0, 3.0],
        "p50": [2.0, 4.0, 3.0, 1.0, 2.0, 3.0],
        "p90": [3.0, 6.0, 2.0, 0.0, 2.0, 2.99],
    })
    bad = quantile_order_violations(frame, "p10", "p50", "p90")
    # 2: P10 above P50; 3: P50 above P90; 6: P90 a cent under; 4 has no P10; 5: all equal is in order
    assert bad["id"].to_list() == [2, 3, 6]


def _attainment(path):
    pl.DataFrame({
        "level": ["payee"], "entity_id": ["E1"], "currency": ["USD"], "period": ["2026-12"],
        "bookings_forecast": [Decimal("10")], "quota": [Decimal("20")], "attainment": [0.5], "quarter": ["2026-Q4"],
        "quarter_bookings": [Decimal("30")], "quarter_quota": [Decimal("60")], "quarter_attainment": [0.5],
        "quarter_attainment_p10": [0.4], "quarter_attainment_p90": [0.6],
    }).with_columns(pl.col("bookings_forecast", "quota", "quarter_bookings", "quarter_quota").cast(D)).write_parquet(path)


def test_the_bookings_check_fails_on_a_hand_made_forecast_with_an_interval_upside_down(tmp_path):
    _attainment(tmp_path / "attainment_forecast.parquet")
    good = [("E1", "2026-11", "90.00", "100.00", "110.00"), ("E2", "2026-11", "0.00", "0.00", "0.00")]
    _bookings(good).write_parquet(tmp_path / "bookings_forecast.parquet")
    passed = check_quantile_order(tmp_path, ["forecast_bookings", "forecast_attainment"])
    assert passed.passed and passed.metadata["rows_checked"].value == {
        "bookings_forecast.parquet": 2, "attainment_forecast.parquet": 1}

    bad = good + [("E3", "2026-12", "120.00", "100.00", "130.00"), ("E4", "2026-12", "90.00", "100.01", "100.00")]
    _bookings(bad).write_parquet(tmp_path / "bookings_forecast.parquet")
    failed = check_quantile_order(tmp_path, ["forecast_bookings", "forecast_attainment"])
    assert not failed.passed
    assert failed.description == "bookings_forecast.parquet: 2 row(s) with not p10 <= forecast <= p90"
    table = failed.metadata["rows_out_of_order"].value
    assert "| E3 | 2026-12 | 120.00 | 100.00 | 130.00 |" in table and "E4" in table and "E1" not in table


def _payout(rows) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["scenario", "employee_id", "period", "currency", "payable_amount"],
                        orient="row").with_columns(pl.col("payable_amount").cast(D))


def test_the_payout_check_holds_the_scenarios_company_bookings_to_their_order_not_each_payees_payout(tmp_path):
    scenarios = [{"name": "P10", "company_bookings": 90.0}, {"name": "P50", "company_bookings": 100.0},
                 {"name": "P90", "company_bookings": 120.0}]
    assert scenario_order_problems(scenarios) == []
    assert scenario_order_problems([scenarios[1], scenarios[0]]) == ["scenario(s) P90 missing"]
    swapped = [{"name": "P10", "company_bookings": 101.0}] + scenarios[1:]
    assert scenario_order_problems(swapped) == ["company bookings out of order: P10 101.00, P50 100.00, P90 120.00"]

    # E1 pays more under P10 than under P50 (a per-payee tier): reported, not failed; E2 has no P90 line (0)
    payout = _payout([
        ("P10", "E1", "2026-12", "USD", "50"), ("P50", "E1", "2026-12", "USD", "40"), ("P90", "E1", "2026-12", "USD", "60"),
        ("P10", "E2", "2026-12", "USD", "1"), ("P50", "E2", "2026-12", "USD", "2"),
        ("actual", "E2", "2026-10", "USD", "9"),
    ])
    exceptions = payout_order_exceptions(payout)
    assert exceptions.select("employee_id", "P10", "P50", "P90").rows() == [
        ("E1", Decimal("50.00"), Decimal("40.00"), Decimal("60.00")),
        ("E2", Decimal("1.00"), Decimal("2.00"), Decimal("0.00")),
    ]

    payout.write_parquet(tmp_path / "payout_forecast.parquet")
    (tmp_path / "payout_forecast.json").write_text(json.dumps({"scenarios": scenarios}))
    result = check_payout_scenarios(tmp_path)
    assert result.passed and result.metadata["payout_rows_not_in_scenario_order"].value == 2
    (tmp_path / "payout_forecast.json").write_text(json.dumps({"scenarios": swapped}))
    assert not check_payout_scenarios(tmp_path).passed


def _summary() -> pl.DataFrame:
    rows = [("actual", "2026-10", "USD", "1000.00"), ("actual", "2026-11", "USD", "400.00")]
    for name, base in (("P10", 900), ("P50", 1000), ("P90", 1150)):
        rows += [(name, "2026-10", "USD", "1000.00"), (name, "2026-11", "USD", f"{base}.00"),
                 (name, "2026-12", "USD", f"{base + 100}.00"), (name, "2026-12", "EUR", f"{base // 2}.00")]
    return pl.DataFrame(rows, schema=["scenario", "period", "currency", "payable_amount"], orient="row").with_columns(
        pl.col("payable_amount").cast(D))


def test_the_payout_plot_is_one_png_per_currency_and_the_same_bytes_on_rerun(tmp_path):
    files = write_payout_plots(_summary(), date(2026, 11, 27), tmp_path)
    assert sorted(files) == ["plots/payout_EUR.png", "plots/payout_USD.png"]
    usd = (tmp_path / "plots" / "payout_USD.png").read_bytes()
    assert usd[:8] == b"\x89PNG\r\n\x1a\n" and b"Software" not in usd
    assert usd != (tmp_path / "plots" / "payout_EUR.png").read_bytes()

    again = write_payout_plots(_summary().reverse(), date(2026, 11, 27), tmp_path / "again")
    assert again == files
    assert (tmp_path / "again" / "plots" / "payout_USD.png").read_bytes() == usd
    changed = _summary().with_columns(
        pl.when(pl.col("scenario") == "P90").then(pl.col("payable_amount") * 2).otherwise(pl.col("payable_amount")))
    assert write_payout_plots(changed, date(2026, 11, 27), tmp_path / "changed") != files
    # what the engine pays today for a later period (a draw) is no actual yet: not drawn
    later = pl.DataFrame([("actual", "2026-12", "USD", "300.00")], schema=_summary().columns, orient="row")
    drawn = write_payout_plots(pl.concat([_summary(), later.with_columns(pl.col("payable_amount").cast(D))]),
                               date(2026, 11, 27), tmp_path / "later")
    assert drawn == files


def test_progress_lines_say_the_label_the_message_and_the_seconds_since_the_step_began():
    lines, ticks = [], iter([100.0, 101.25, 163.0])
    progress = step_progress(lines.append, "payout forecast", clock=lambda: next(ticks))
    progress("scenario P50 deals written", 2, 3)
    progress("engine build of the 3 scenarios done")
    assert lines == ["payout forecast: 2/3 scenario P50 deals written (1.2 s)",
                     "payout forecast: engine build of the 3 scenarios done (63.0 s)"]
    # the counted line is a progress line the run's console shows (core/progress.py)
    assert parse_progress(lines[0]) == ("payout forecast", 2, 3) and parse_progress(lines[1]) is None
