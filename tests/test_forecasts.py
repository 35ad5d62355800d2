"""Forecasts (SPEC §7): the pure parts, on hand-made cases with the arithmetic in comments."""

from __future__ import annotations

from datetime import date

import dagster as dg
import numpy as np
import polars as pl
import pytest

from assets.forecasts import conversion as conversion_module
from assets.forecasts.attainment import attainment_forecast
from assets.forecasts.calendar import month_index, shift_origin
from assets.forecasts.conversion import Conversion, learn_conversion
from assets.forecasts.extract import ForecastInputs
from assets.forecasts.pipeline import allocation, expected_by_month, pipeline_by_level, weighted_deals
from assets.forecasts.plot import forecast_png
from assets.forecasts.simulation import simulate
from assets.forecasts.timeseries import forecast_many, seasonal_naive, wape

MAR, APR, MAY = month_index(date(2026, 3, 1)), month_index(date(2026, 4, 1)), month_index(date(2026, 5, 1))


def _inputs(history_rows, deal_rows, split_rows=()) -> ForecastInputs:
    history = pl.DataFrame(
        history_rows,
        schema={"opportunity_id": pl.Utf8, "history_id": pl.Utf8, "at": pl.Date, "stage_name": pl.Utf8,
                "amount": pl.Float64, "close_date": pl.Date},
        orient="row",
    )
    deals = pl.DataFrame(
        deal_rows,
        schema={"opportunity_id": pl.Utf8, "owner_user_id": pl.Utf8, "currency_code": pl.Utf8, "created": pl.Date,
                "opportunity_type": pl.Utf8},
        orient="row",
    )
    splits = pl.DataFrame(list(split_rows), schema={"opportunity_id": pl.Utf8, "user_id": pl.Utf8, "share": pl.Float64},
                          orient="row")
    payees = pl.DataFrame(
        [("E1", "U1", "M1", "USD", "Ann", None), ("E2", "U2", "M1", "EUR", "Bob", None),
         ("M1", "UM", None, "USD", "Mia", None)],
        schema={"employee_id": pl.Utf8, "crm_user_id": pl.Utf8, "manager_employee_id": pl.Utf8, "currency": pl.Utf8,
                "full_name": pl.Utf8, "termination_date": pl.Date},
        orient="row",
    )
    rates = pl.DataFrame(
        [("EUR", date(2026, 1, 1), date(2027, 1, 1), 0.8)],
        schema={"currency_code": pl.Utf8, "start_date": pl.Date, "next_start_date": pl.Date, "rate": pl.Float64},
        orient="row",
    )
    credits = pl.DataFrame(schema={"employee_id": pl.Utf8, "opportunity_id": pl.Utf8, "credit_date": pl.Date,
                                   "credit_type": pl.Utf8, "amount": pl.Float64, "amount_corporate": pl.Float64,
                                   "month": pl.Int64})
    quota = pl.DataFrame(schema={"employee_id": pl.Utf8, "monthly_quota": pl.Float64, "currency": pl.Utf8,
                                 "month": pl.Int64})
    return ForecastInputs(as_of=date(2026, 3, 15), corporate_currency="USD", history=history, deals=deals,
                          splits=splits, payees=payees, credits=credits, rates=rates, quota=quota)


def _hand_case() -> tuple[ForecastInputs, Conversion]:
    created = date(2026, 3, 5)  # origin 2026-03-15: age 10 days, band 000-030
    inputs = _inputs(
        [
            ("D1", "h1", created, "Negotiation", 1000.0, date(2026, 3, 25)),  # closes in 10 days
            ("D2", "h2", created, "Proposal", 2000.0, date(2026, 4, 20)),  # in 36 days
            ("D3", "h3", created, "Prospecting", 500.0, date(2026, 3, 1)),  # overdue: expected in March
            ("D4", "h4", created, "Prospecting", 900.0, date(2026, 3, 10)),
            ("D4", "h5", date(2026, 3, 10), "Closed Won", 900.0, date(2026, 3, 10)),  # already won: not pipeline
            ("D5", "h6", date(2026, 3, 20), "Negotiation", 700.0, date(2026, 3, 30)),  # created after the origin
        ],
        [
            ("D1", "U1", "USD", created, "New Business"),
            ("D2", "U2", "EUR", created, "New Business"),
            ("D3", "U1", "USD", created, "New Business"),
            ("D4", "U1", "USD", created, "New Business"),
            ("D5", "U1", "USD", date(2026, 3, 20), "New Business"),
        ],
        [("D3", "U1", 0.6), ("D3", "U2", 0.4)],
    )
    table = pl.DataFrame(
        [("Negotiation", "000-030", "close-000-030", 0.5), ("Proposal", "000-030", "close-031+", 0.25),
         ("Prospecting", "000-030", "close-000-030", 0.1)],
        schema={"stage_name": pl.Utf8, "age_band": pl.Utf8, "close_band": pl.Utf8, "rate": pl.Float64},
        orient="row",
    )
    return inputs, Conversion(cutoff=inputs.as_of, table=table, overall_rate=0.2, slip=(0.8, 0.2, 0.0, 0.0),
                              observations=0)


def _level(frame: pl.DataFrame, level: str, entity: str) -> dict[int, float]:
    rows = frame.filter((pl.col("level") == level) & (pl.col("entity_id") == entity))
    return {m: round(v, 6) for m, v in rows.select("month", "pipeline_expected").iter_rows()}


def test_stage_weighted_pipeline_equals_the_hand_computed_case():
    inputs, conversion = _hand_case()
    deals = weighted_deals(inputs, conversion, inputs.as_of)
    assert deals["opportunity_id"].to_list() == ["D1", "D2", "D3"]  # D4 is won, D5 not yet created
    result = pipeline_by_level(
        expected_by_month(deals, conversion.slip), allocation(inputs, deals.select("opportunity_id"), inputs.as_of)
    )
    # slip: 80% in the expected month, 20% one month later. EUR rate 0.8 per USD.
    # D1  1000 USD x 0.5  = 500 USD:  March 400, April 100
    # D2  2000 EUR x 0.25 = 500 EUR = 625 USD: April 500 (400 EUR), May 125 (100 EUR)
    # D3  500 USD x 0.1   = 50 USD (overdue: March): March 40, April 10; split 60% E1 / 40% E2
    # company (USD): March 400 + 40 = 440; April 100 + 500 + 10 = 610; May 125
    assert _level(result, "company", "company") == {MAR: 440.0, APR: 610.0, MAY: 125.0}
    # E1 (USD): D1 + 60% of D3: March 400 + 24 = 424, April 100 + 6 = 106
    assert _level(result, "payee", "E1") == {MAR: 424.0, APR: 106.0}
    # E2 (EUR): D2 500 EUR; 40% of D3 = 200 USD = 160 EUR x 0.1 = 16 EUR: March 12.8, April 400 + 3.2, May 100
    assert _level(result, "payee", "E2") == {MAR: 12.8, APR: 403.2, MAY: 100.0}
    # the team of M1 (USD) holds both payees' deals: the company's numbers
    assert _level(result, "team", "M1") == {MAR: 440.0, APR: 610.0, MAY: 125.0}
    # variance, company March: D1 q = 0.5 x 0.8 = 0.4: 1000^2 x 0.4 x 0.6 = 240,000;
    # D3 q = 0.1 x 0.8 = 0.08: 500^2 x 0.08 x 0.92 = 18,400; total 258,400
    march = result.filter((pl.col("level") == "company") & (pl.col("month") == MAR))
    assert march["pipeline_variance"][0] == pytest.approx(258_400.0)


def test_conversion_is_learned_from_history_snapshots(monkeypatch):
    monkeypatch.setattr(conversion_module, "MIN_OBSERVATIONS", 1)
    created = date(2026, 1, 20)
    rows, deals = [], []
    # three deals open in Proposal at the 2026-01-31 snapshot (age 11 days, close within 30 days):
    # A and B won in February, C lost -> rate 2/3; A closes a month late (slip 1), B on time
    for deal, outcome, close in (("A", "Closed Won", date(2026, 3, 5)), ("B", "Closed Won", date(2026, 2, 20)),
                                 ("C", "Closed Lost", date(2026, 2, 25))):
        rows += [(deal, f"{deal}1", created, "Proposal", 100.0, date(2026, 2, 20)),
                 (deal, f"{deal}2", close, outcome, 100.0, close)]
        deals.append((deal, "U1", "USD", created, "New Business"))
    inputs = _inputs(rows, deals)
    learned = learn_conversion(inputs.history, inputs.deals, cutoff=date(2026, 3, 31), lookback_months=2)
    cell = learned.table.filter(
        (pl.col("stage_name") == "Proposal") & (pl.col("age_band") == "000-030") & (pl.col("close_band") == "close-000-030")
    )
    assert cell["observations"][0] == 3 and cell["won"][0] == 2 and cell["rate"][0] == pytest.approx(2 / 3)
    # the 2026-02-28 snapshot sees A still open (age 39 days: the 031-090 band), overdue, so expected in
    # March, and won in March: slip 0. Won observations: A at Jan 31 (slip 1), B (0), A at Feb 28 (0)
    assert learned.observations == 4
    assert learned.slip == pytest.approx((2 / 3, 1 / 3, 0.0, 0.0))
    # a cutoff before the outcomes: nothing resolved yet, no observation leaks from the future
    early = learn_conversion(inputs.history, inputs.deals, cutoff=date(2026, 2, 15), lookback_months=2)
    assert early.observations == 0


def _seasonal_series(n_months: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    m = np.arange(n_months)
    return 100_000 + 30_000 * np.sin(2 * np.pi * m / 12) + 10_000 * (m % 3 == 2) + rng.normal(0, 4_000, n_months)


def test_holt_winters_beats_seasonal_naive_on_a_series_with_known_seasonality():
    first = month_index(date(2022, 1, 1))
    values = np.vstack([_seasonal_series(48, seed) for seed in range(5)])
    forecasts, baseline, actual = [], [], []
    for cut in range(42, 48):  # refit on the months before each of the last six, forecast the next
        mean, _, models = forecast_many(values[:, :cut], first, 1, seasonal=True)
        assert set(models) == {"holt_winters_additive_12"}
        forecasts.append(mean[:, 0])
        baseline.append(seasonal_naive(values[:, :cut], np.array([0]))[:, 0])
        actual.append(values[:, cut])
    model_wape = wape(np.array(actual), np.array(forecasts))
    naive_wape = wape(np.array(actual), np.array(baseline))
    assert model_wape < naive_wape


def test_short_series_use_exponential_smoothing_and_seasonal_naive_falls_back():
    values = np.array([[10.0, 12.0, 11.0]])
    mean, sd, models = forecast_many(values, month_index(date(2026, 1, 1)), 2, seasonal=True)
    assert models == ["simple_exponential_smoothing"] and mean.shape == (1, 2) and (sd >= 0).all()
    # fewer than 12 months: the baseline repeats the last month
    assert seasonal_naive(values, np.array([0, 1])).tolist() == [[11.0, 11.0]]
    # WAPE: |10-12| + |20-18| over 30
    assert wape(np.array([10.0, 20.0]), np.array([12.0, 18.0])) == pytest.approx(4 / 30)


def test_origin_shift_keeps_month_ends():
    assert shift_origin(date(2026, 4, 30), -2) == date(2026, 2, 28)
    assert shift_origin(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert shift_origin(date(2026, 11, 27), -1) == date(2026, 10, 27)


def test_simulation_is_seeded_and_scenarios_are_ordered_by_company_bookings():
    deals = pl.DataFrame({
        "opportunity_id": [f"D{i:03d}" for i in range(200)],
        "win_probability": [0.3] * 200,
        "expected_month": [MAR] * 200,
        "close_date": [date(2026, 3, 20)] * 200,
        "amount_corporate": [float(100 + i) for i in range(200)],
    })
    totals, scenarios = simulate(deals, (0.8, 0.2, 0.0, 0.0), date(2026, 3, 15), APR, n_simulations=200, seed=3)
    again, scenarios_again = simulate(deals, (0.8, 0.2, 0.0, 0.0), date(2026, 3, 15), APR, n_simulations=200, seed=3)
    assert np.array_equal(totals, again)
    assert [s.won.equals(t.won) for s, t in zip(scenarios, scenarios_again)] == [True, True, True]
    p10, p50, p90 = (s.company_bookings for s in scenarios)
    assert p10 <= p50 <= p90
    # a won deal's simulated close: March 20, or a month later when it slips
    closes = set(pl.concat([s.won for s in scenarios])["close_date"].to_list())
    assert closes <= {date(2026, 3, 20), date(2026, 4, 20)}
    # the scenario's won deals add up to its company bookings
    amounts = dict(deals.select("opportunity_id", "amount_corporate").iter_rows())
    assert sum(amounts[i] for i in scenarios[1].won["opportunity_id"]) == pytest.approx(p50)


def test_attainment_is_actual_plus_forecast_over_quota():
    rows = pl.DataFrame({
        "level": ["payee"] * 3, "entity_id": ["E1"] * 3, "currency": ["USD"] * 3,
        "month": [APR, MAY, MAY + 1], "forecast": [300.0, 500.0, 700.0], "p10": [250.0, 400.0, 500.0],
        "p90": [350.0, 600.0, 900.0],
    })
    history = pl.DataFrame({"level": ["payee"], "entity_id": ["E1"], "month": [MAR], "actual": [200.0]})
    quota = pl.DataFrame({"employee_id": ["E1"] * 4, "month": [MAR, APR, MAY, MAY + 1],
                          "monthly_quota": [1000.0, 1000.0, 1000.0, 1000.0]})
    out = attainment_forecast(rows, history, quota)
    april = out.filter(pl.col("period") == "2026-04").row(0, named=True)
    # April: 300 / 1000; Q2 (April-June): (300 + 500 + 700) / 3000 = 0.5
    assert april["attainment"] == pytest.approx(0.3)
    assert april["quarter"] == "2026-Q2" and april["quarter_attainment"] == pytest.approx(0.5)
    # one row per forecast month (March is history, not a forecast row)
    assert out["period"].to_list() == ["2026-04", "2026-05", "2026-06"]


def test_plot_bytes_are_stable():
    history = pl.DataFrame({"month": [MAR - 2, MAR - 1], "actual": [100.0, 120.0]})
    forecast = pl.DataFrame({"month": [MAR, APR], "forecast": [110.0, 115.0], "p10": [90.0, 95.0],
                             "p90": [130.0, 140.0], "actual_to_date": [40.0, 0.0]})
    first = forecast_png("Company", "USD", history, forecast)
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert forecast_png("Company", "USD", history, forecast) == first
    assert b"Software" not in first


def test_forecast_assets_run_after_the_marts_in_the_pipeline_job():
    from orchestration.definitions import PIPELINE_JOB_NAME, defs

    graph = defs.resolve_asset_graph()
    bookings = graph.get(dg.AssetKey("bookings_forecast"))
    assert {"fct_credit", "fct_quota", "fct_payable", "stg_salesforce__opportunity_history"} <= {
        k.to_user_string() for k in bookings.parent_keys
    }
    assert {k.to_user_string() for k in graph.get(dg.AssetKey("payout_forecast")).parent_keys} == {"bookings_forecast"}
    job = defs.resolve_job_def(PIPELINE_JOB_NAME)
    assert {"bookings_forecast", "payout_forecast"} <= {k.to_user_string() for k in job.asset_layer.executable_asset_keys}
