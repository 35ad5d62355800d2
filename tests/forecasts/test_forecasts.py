"""Forecasts (SPEC §7): the pure parts, on hand-made cases with the arithmetic in comments."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import dagster as dg
import numpy as np
import polars as pl
import pytest

from assets.forecasts import conversion as conversion_module
from assets.forecasts import new_business
from assets.forecasts.attainment import attainment_forecast
from assets.forecasts.calendar import month_index, shift_origin
from assets.forecasts.conversion import Conversion, learn_conversion
from assets.forecasts.extract import ForecastInputs
from assets.forecasts.pipeline import allocation, expected_by_month, pipeline_by_level, weighted_deals
from assets.forecasts.plot import ForecastPlotter, forecast_png
from assets.forecasts.scenarios import new_business_records, scenario_records
from assets.forecasts.simulation import pick_scenario, simulate
from assets.forecasts.timeseries import forecast_many, seasonal_naive, wape
from assets.ingest.contract import CRM_OPPORTUNITY, CRM_OPPORTUNITY_LINE_ITEM, CRM_OPPORTUNITY_SPLIT
from assets.ingest.raw_layout import dataset_dir, raw_schema

MAR, APR, MAY = month_index(date(2026, 3, 1)), month_index(date(2026, 4, 1)), month_index(date(2026, 5, 1))


ALWAYS = (date(1, 1, 1), date(9999, 12, 31))  # payee and company rows of fct_pipeline_credit_share
SHARE_SCHEMA = {"opportunity_id": pl.Utf8, "level": pl.Utf8, "entity_id": pl.Utf8, "entity_currency": pl.Utf8,
                "deal_currency": pl.Utf8, "credit_share": pl.Float64, "valid_from": pl.Date, "valid_to": pl.Date}


def _share_rows(deal: str, deal_currency: str, payees: dict[str, tuple[str, float]],
                teams: list[tuple[str, str, float, date, date]]) -> list[tuple]:
    """A deal's fct_pipeline_credit_share rows as the warehouse gives them (read, not computed, by allocation()).

    payees: employee -> (currency, share); teams: (manager, currency, share, valid_from, valid_to)."""
    rows = [(deal, "payee", e, c, deal_currency, share, *ALWAYS) for e, (c, share) in payees.items()]
    rows += [(deal, "team", m, c, deal_currency, share, start, end) for m, c, share, start, end in teams]
    rows += [(deal, "company", "company", "USD", deal_currency, share, *ALWAYS) for _, share in payees.values()]
    return rows


def _inputs(history_rows, deal_rows, share_rows=()) -> ForecastInputs:
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
    credit_shares = pl.DataFrame(list(share_rows), schema=SHARE_SCHEMA, orient="row")
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
                                   "credit_status": pl.Utf8, "split_percentage": pl.Decimal(38, 10),
                                   "amount_deal_currency": pl.Decimal(38, 10), "month": pl.Int64})
    quota = pl.DataFrame(schema={"employee_id": pl.Utf8, "monthly_quota": pl.Float64, "currency": pl.Utf8,
                                 "month": pl.Int64})
    return ForecastInputs(as_of=date(2026, 3, 15), corporate_currency="USD", history=history, deals=deals,
                          credit_shares=credit_shares, payees=payees, credits=credits, rates=rates, quota=quota)


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
        # the warehouse's shares: E1 (user U1, USD) and E2 (U2, EUR) report to M1 (USD); D3 is split 60/40
        _share_rows("D1", "USD", {"E1": ("USD", 1.0)}, [("M1", "USD", 1.0, *ALWAYS)])
        + _share_rows("D2", "EUR", {"E2": ("EUR", 1.0)}, [("M1", "USD", 1.0, *ALWAYS)])
        + _share_rows("D3", "USD", {"E1": ("USD", 0.6), "E2": ("EUR", 0.4)},
                      [("M1", "USD", 0.6, *ALWAYS), ("M1", "USD", 0.4, *ALWAYS)])
        + _share_rows("D4", "USD", {"E1": ("USD", 1.0)}, [("M1", "USD", 1.0, *ALWAYS)])
        + _share_rows("D5", "USD", {"E1": ("USD", 1.0)}, [("M1", "USD", 1.0, *ALWAYS)]),
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


def test_team_pipeline_follows_the_hr_chain_valid_on_the_origin_date():
    """The team level credits the managers of the chain valid on the origin (fct_pipeline_credit_share's
    validity intervals), not today's chain: E1 reported to M2 until 2026-03-01 and to M1 since; E2 reports
    to M1, M1 to M2. D1 (1000 USD) is E1's; D2 (2000 EUR, 0.8 EUR per USD) is split 50/50 between E1 and E2."""
    change = date(2026, 3, 1)
    start, end = ALWAYS
    inputs = _inputs([], [], _share_rows(
        "D1", "USD", {"E1": ("USD", 1.0)},
        [("M2", "USD", 1.0, start, change),  # E1 -> M2 (level 1) before the change
         ("M1", "USD", 1.0, change, end), ("M2", "USD", 1.0, change, end)],  # E1 -> M1 (1) -> M2 (2) after
    ) + _share_rows(
        "D2", "EUR", {"E1": ("USD", 0.5), "E2": ("EUR", 0.5)},
        [("M2", "USD", 0.5, start, change), ("M1", "USD", 0.5, change, end), ("M2", "USD", 0.5, change, end),
         ("M1", "USD", 0.5, *ALWAYS), ("M2", "USD", 0.5, *ALWAYS)],  # E2's half: M1 (1), M2 (2) always
    ))
    by_month = pl.DataFrame({"opportunity_id": ["D1", "D2"], "month": [MAR, APR], "amount": [1000.0, 2000.0],
                             "q": [0.5, 0.25]})
    deal_ids = by_month.select("opportunity_id")

    def team(origin: date) -> dict[tuple[str, str], float]:
        alloc = allocation(inputs, deal_ids, origin).filter(pl.col("level") == "team")
        return {(e, d): round(f, 6) for d, e, f in alloc.select("opportunity_id", "entity_id", "factor").iter_rows()}

    # origin 2026-02-15 (before the change): M2 gets all of D1 and both halves of D2 (E1's directly, E2's
    # through M1): 1.0 / 0.8 = 1.25 USD per EUR; M1 only E2's half of D2: 0.5 / 0.8 = 0.625
    assert team(date(2026, 2, 15)) == {("M2", "D1"): 1.0, ("M2", "D2"): 1.25, ("M1", "D2"): 0.625}
    # origin 2026-03-15: M1 and M2 both hold the whole of both deals
    assert team(date(2026, 3, 15)) == {("M1", "D1"): 1.0, ("M1", "D2"): 1.25, ("M2", "D1"): 1.0,
                                       ("M2", "D2"): 1.25}
    before = pipeline_by_level(by_month, allocation(inputs, deal_ids, date(2026, 2, 15)))
    after = pipeline_by_level(by_month, allocation(inputs, deal_ids, date(2026, 3, 15)))
    # before: M2 March 1000 x 1.0 x 0.5 = 500, April 2000 x 1.25 x 0.25 = 625; M1 April 2000 x 0.625 x 0.25 = 312.5
    assert _level(before, "team", "M2") == {MAR: 500.0, APR: 625.0}
    assert _level(before, "team", "M1") == {APR: 312.5}
    # after: both managers March 500, April 625 (today's chain would have said so for February too)
    assert _level(after, "team", "M1") == _level(after, "team", "M2") == {MAR: 500.0, APR: 625.0}
    # payee and company levels do not depend on the chain: E1 March 500, April 2000 x 0.5 / 0.8 x 0.25 = 312.5 USD
    assert _level(before, "payee", "E1") == _level(after, "payee", "E1") == {MAR: 500.0, APR: 312.5}
    assert _level(before, "company", "company") == {MAR: 500.0, APR: 625.0}


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


def _open_deals(n: int) -> pl.DataFrame:
    """n open deals, each won with probability 0.3, expected in March (CloseDate March 20), worth 100 + i USD."""
    return pl.DataFrame({
        "opportunity_id": [f"D{i:03d}" for i in range(n)],
        "win_probability": [0.3] * n,
        "expected_month": [MAR] * n,
        "close_date": [date(2026, 3, 20)] * n,
        "amount_corporate": [float(100 + i) for i in range(n)],
    })


def test_simulation_is_seeded_and_scenarios_are_ordered_by_company_bookings():
    deals = _open_deals(200)
    totals, scenarios = simulate(deals, (0.8, 0.2, 0.0, 0.0), date(2026, 3, 15), APR, n_simulations=200, seed=3)
    assert totals.shape == (200, 2)  # March and April
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


def test_attainment_forecast_does_not_depend_on_the_order_of_its_inputs():
    """A quarter's bookings are a float sum: added in the same order whatever the order of the rows
    (joins keep none), so the file has the same bytes every run: (1e16 + 1) - 1e16 = 0, (1e16 - 1e16) + 1 = 1."""
    months = [APR, MAY, MAY + 1]
    rows = pl.DataFrame({
        "level": ["payee"] * 6, "entity_id": ["E1"] * 3 + ["E2"] * 3, "currency": ["USD"] * 6,
        "month": months * 2, "forecast": [1e16, 1.0, -1e16, 0.1, 0.2, 0.3], "p10": [0.1] * 6, "p90": [0.3] * 6,
    })
    history = pl.DataFrame({"level": ["payee"] * 2, "entity_id": ["E1", "E2"], "month": [MAR] * 2,
                            "actual": [1e16, 1.0]})
    quota = pl.DataFrame({"employee_id": ["E1"] * 3 + ["E2"] * 3, "month": months * 2,
                          "monthly_quota": [0.7] * 6})
    expected = attainment_forecast(rows, history, quota)
    for seed in range(20):
        shuffled = attainment_forecast(rows.sample(fraction=1.0, shuffle=True, seed=seed), history,
                                       quota.sample(fraction=1.0, shuffle=True, seed=seed + 100))
        assert shuffled.equals(expected), seed
    assert expected.filter(pl.col("entity_id") == "E2")["quarter_bookings"][0] == pytest.approx(0.6)


def test_plot_bytes_are_stable():
    history = pl.DataFrame({"month": [MAR - 2, MAR - 1], "actual": [100.0, 120.0]})
    forecast = pl.DataFrame({"month": [MAR, APR], "forecast": [110.0, 115.0], "p10": [90.0, 95.0],
                             "p90": [130.0, 140.0], "actual_to_date": [40.0, 0.0]})
    first = forecast_png("Company", "USD", history, forecast)
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert forecast_png("Company", "USD", history, forecast) == first
    assert b"Software" not in first
    # on a figure reused from another plot: the same bytes
    plotter = ForecastPlotter()
    other = plotter.png("Team of someone with a longer title", "EUR", history.with_columns(pl.col("actual") * 1e6),
                        forecast.with_columns(pl.col("forecast", "p10", "p90") * 1e6))
    assert plotter.png("Company", "USD", history, forecast) == first != other
    # a run's plots drawn by two worker processes (core/parallel.py, as a run of 64 teams or more is)
    from assets.forecasts.plot import bookings_png
    from core.parallel import map_in_order

    plots = [("Company", "USD", history, forecast), ("Team of someone with a longer title", "EUR",
             history.with_columns(pl.col("actual") * 1e6), forecast.with_columns(pl.col("forecast", "p10", "p90") * 1e6))]
    assert map_in_order(bookings_png, plots * 3, processes=2) == [first, other] * 3


@pytest.mark.parametrize("title, scale, with_backtest", [
    ("Company", 1.0, False),
    ("Team of Zoë Ångström (E00042)", 1.0, True),  # accents: a taller title
    ("Company", 1e7, True),  # bookings labels in the billions: a wider left margin
])
def test_plot_margins_are_the_ones_tight_layout_sets(monkeypatch, title, scale, with_backtest):
    from assets.forecasts import plot

    history = pl.DataFrame({"month": [MAR - 2, MAR - 1], "actual": [100.0 * scale, 120.0 * scale]})
    forecast = pl.DataFrame({"month": [MAR, APR], "forecast": [110.0 * scale, 115.0 * scale],
                             "p10": [90.0 * scale, 95.0 * scale], "p90": [130.0 * scale, 140.0 * scale],
                             "actual_to_date": [40.0 * scale, 0.0]})
    backtest = pl.DataFrame({"month": [MAR - 1], "forecast": [118.0 * scale]}) if with_backtest else None
    measured, subplot_margins = [], plot.subplot_margins

    def compared_with_tight_layout(fig, ax):
        margins = subplot_margins(fig, ax)
        fig.tight_layout()
        fig.set_layout_engine(None)
        tight = fig.subplotpars
        measured.append((margins, {"left": tight.left, "right": tight.right, "top": tight.top, "bottom": tight.bottom}))
        return margins

    monkeypatch.setattr(plot, "subplot_margins", compared_with_tight_layout)
    plot.forecast_png(title, "USD", history, forecast, backtest)
    ((margins, tight),) = measured
    assert margins == pytest.approx(tight, abs=1e-12)


def test_forecast_assets_run_after_the_marts_in_the_pipeline_job():
    from orchestration.definitions import PIPELINE_JOB_NAME, defs

    graph = defs.resolve_asset_graph()
    bookings = graph.get(dg.AssetKey("bookings_forecast"))
    parents = {k.to_user_string() for k in bookings.parent_keys}
    assert {"fct_credit", "fct_quota", "fct_payable", "fct_pipeline_credit_share", "fct_opportunity_history",
            "dim_opportunity", "dim_dated_conversion_rate", "dim_payee"} == parents
    assert not any(p.startswith(("stg_", "int_")) for p in parents)  # marts only
    assert {k.to_user_string() for k in graph.get(dg.AssetKey("payout_forecast")).parent_keys} == {"bookings_forecast"}
    job = defs.resolve_job_def(PIPELINE_JOB_NAME)
    assert {"bookings_forecast", "payout_forecast"} <= {k.to_user_string() for k in job.asset_layer.executable_asset_keys}


# --- new business not yet in the pipeline, drawn as deals (assets/forecasts/new_business.py) ---

ORIGIN = date(2026, 3, 15)


def _pool(rows) -> pl.DataFrame:
    """(employee, deal, credit date, split %, credit in deal currency, credit in payee currency, in USD)."""
    return pl.DataFrame(
        [(e, f"U{e[1:]}", o, d, Decimal(p), Decimal(a), c, k) for e, o, d, p, a, c, k in rows],
        schema=new_business.POOL_SCHEMA, orient="row",
    )


def _targets(rows) -> pl.DataFrame:
    """(level, entity, month, target, target_sd)."""
    return pl.DataFrame(
        [(lv, e, "USD", m, t, sd) for lv, e, m, t, sd in rows],
        schema={"level": pl.Utf8, "entity_id": pl.Utf8, "currency": pl.Utf8, "month": pl.Int64, "target": pl.Float64,
                "target_sd": pl.Float64},
        orient="row",
    )


def _e1_pool() -> pl.DataFrame:
    # E1's recent won credit: a 100 USD deal and its 60% share of a 500 USD split deal (300 USD)
    return _pool([("E1", "006A", date(2026, 1, 10), "100", "100", 100.0, 100.0),
                  ("E1", "006B", date(2026, 2, 3), "60", "300", 300.0, 300.0)])


def test_new_business_pool_is_the_payees_recent_own_won_credit():
    inputs = _inputs([], [])
    rows = [  # employee, deal, credit date, type, status, split %, amount
        ("E1", "006A", date(2026, 1, 10), "owner", "current", "100", 100.0),
        ("E1", "006B", date(2026, 2, 3), "split", "current", "60", 300.0),
        ("M1", "006B", date(2026, 2, 3), "rollup", "current", "60", 300.0),  # roll-up: not own credit
        ("E1", "006C", date(2026, 2, 5), "owner", "standing_after_window", "100", 50.0),  # lost after the win
        ("E1", "006D", date(2025, 2, 27), "owner", "current", "100", 70.0),  # older than the 12 complete months
        ("E1", "006E", date(2026, 3, 10), "owner", "current", "100", 80.0),  # the origin's month: not complete
    ]
    credits = pl.DataFrame(
        [(e, o, d, t, a, a, s, Decimal(p), Decimal(str(a)), month_index(d)) for e, o, d, t, s, p, a in rows],
        schema=inputs.credits.schema, orient="row",
    )
    pool = new_business.new_business_pool(credits, inputs.payees, ORIGIN)
    assert pool.select("employee_id", "crm_user_id", "opportunity_id").rows() == [("E1", "U1", "006A"),
                                                                                 ("E1", "U1", "006B")]


def test_new_business_draw_expects_share_times_the_payees_time_series():
    # E1's target in April: share 0.5 x TS 2,000 = 1,000 USD, sd 0.5 x 2,000 = 1,000.
    # Pool credits 100 and 300: mean 200, so lam = 1,000 / 200 = 5 deals a month;
    # the deals alone vary by lam x E[c^2] = 5 x (100^2 + 300^2) / 2 = 250,000 (sd 500);
    # the payee factor tops that up to 1,000^2: v = (1,000,000 - 250,000) / 1,000^2 = 0.75.
    # The company's sd (1,000) equals the one payee's: no company factor.
    targets = _targets([("payee", "E1", APR, 1000.0, 1000.0), ("company", "company", APR, 1000.0, 1000.0)])
    nb = new_business.prepare(targets, _e1_pool(), ORIGIN, APR)
    assert nb.n_months == 2  # March (the days after the origin) and April
    assert nb.cell_rate.tolist() == pytest.approx([5.0])
    assert nb.cell_dispersion.tolist() == pytest.approx([0.75])
    assert nb.month_dispersion.tolist() == pytest.approx([0.0, 0.0])
    totals = np.array([new_business.company_by_month(nb, new_business.draw(nb, 11, i))[1] for i in range(4000)])
    # 4,000 draws with sd ~1,000: the mean's standard error is ~16, so 1,000 +- 64 is 4 standard errors
    assert totals.mean() == pytest.approx(1000.0, abs=64.0)
    # the spread is the time series' (sd 1,000), not the deals' alone (500): the sd's sampling error is ~2-3%
    assert totals.std() == pytest.approx(1000.0, rel=0.1)
    # without the time series' uncertainty, only the deals' own randomness: sd 500
    calm = new_business.prepare(targets.with_columns(target_sd=pl.lit(0.0)), _e1_pool(), ORIGIN, APR)
    assert calm.cell_dispersion.tolist() == [0.0]
    calm_totals = np.array([new_business.company_by_month(calm, new_business.draw(calm, 11, i))[1]
                            for i in range(4000)])
    assert calm_totals.mean() == pytest.approx(1000.0, abs=32.0) and calm_totals.std() == pytest.approx(500.0, rel=0.1)


def test_new_business_company_factor_carries_what_the_company_varies_beyond_its_payees():
    # Two payees, each target 1,000 with sd 500 = exactly their deals' own sd (lam 5, 5 x 50,000 = 250,000):
    # no payee factor. The company's sd 1,000 asks 1,000^2 - 2 x 500^2 = 500,000 more, over a
    # company target of 2,000: v_m = 500,000 / 2,000^2 = 0.125 (a factor common to both payees).
    pool = pl.concat([_e1_pool(), _e1_pool().with_columns(employee_id=pl.lit("E2"), crm_user_id=pl.lit("U2"))])
    targets = _targets([("payee", "E1", APR, 1000.0, 500.0), ("payee", "E2", APR, 1000.0, 500.0),
                        ("company", "company", APR, 2000.0, 1000.0)])
    nb = new_business.prepare(targets, pool, ORIGIN, APR)
    assert nb.month_dispersion.tolist() == pytest.approx([0.0, 0.125])
    assert nb.cell_dispersion.tolist() == pytest.approx([0.0, 0.0])
    totals = np.array([new_business.company_by_month(nb, new_business.draw(nb, 5, i))[1] for i in range(4000)])
    assert totals.mean() == pytest.approx(2000.0, abs=64.0)
    assert totals.std() == pytest.approx(1000.0, rel=0.1)


def test_new_business_targets_are_reconciled_to_the_companys():
    # April: E1 1,000 + E2 500 = 1,500 USD of payee targets against the company's 1,800: scale 1.2,
    # so E1 expects 1,200 / 200 = 6 deals and E2 600 / 200 = 3; March has no company row: unscaled
    pool = pl.concat([_e1_pool(), _e1_pool().with_columns(employee_id=pl.lit("E2"), crm_user_id=pl.lit("U2"))])
    targets = _targets([("payee", "E1", MAR, 400.0, 0.0), ("payee", "E1", APR, 1000.0, 0.0),
                        ("payee", "E2", APR, 500.0, 0.0), ("company", "company", APR, 1800.0, 0.0)])
    nb = new_business.prepare(targets, pool, ORIGIN, APR)
    assert nb.month_scale.tolist() == pytest.approx([1.0, 1.2])
    assert list(zip(nb.cell_employee, nb.cell_month, nb.cell_rate)) == [
        ("E1", 0, pytest.approx(2.0)), ("E1", 1, pytest.approx(6.0)), ("E2", 1, pytest.approx(3.0))]


def test_a_scenario_is_typical_month_by_month_not_only_in_total():
    # 101 simulations, simulation i books (i, i) in two months, except simulation 50: (80, 20).
    # Ranked by total, 50 is the median (total 100), but its months are far from the months' medians
    # (51 and 49); within the window (2% of 100 = ranks 48..52) simulations 49 and 51 are nearest.
    by_month = np.array([[float(i), float(i)] for i in range(101)])
    by_month[50] = [80.0, 20.0]
    assert pick_scenario(by_month, 0.5) in {49, 51}
    # the quantile's window keeps the total's rank: P10 stays among ranks 8..12
    assert pick_scenario(by_month, 0.1) in {8, 9, 10, 11, 12}


def test_new_business_deals_have_new_ids_close_after_the_origin_and_are_seeded():
    targets = _targets([("payee", "E1", MAR, 600.0, 0.0), ("payee", "E1", APR, 1000.0, 0.0),
                        ("payee", "E9", APR, 50.0, 0.0)])  # E9 has no recent deal to draw from
    nb = new_business.prepare(targets, _e1_pool(), ORIGIN, APR)
    assert nb.uncovered.rows() == [("E9", APR, 50.0)]
    deals = [new_business.new_deals(nb, new_business.draw(nb, 3, i)) for i in range(50)]
    for frame in deals:
        ids = frame["opportunity_id"].to_list()
        assert len(set(ids)) == len(ids) and all(i.startswith("FCST-2026-0") for i in ids)
        assert not set(ids) & {"006A", "006B"}
        assert set(frame["source_opportunity_id"]) <= {"006A", "006B"}
        # March: only the days after the origin (16..31); April: any day
        march = frame.filter(pl.col("opportunity_id").str.starts_with("FCST-2026-03-"))["close_date"]
        assert all(date(2026, 3, 16) <= d <= date(2026, 3, 31) for d in march)
        april = frame.filter(pl.col("opportunity_id").str.starts_with("FCST-2026-04-"))["close_date"]
        assert all(date(2026, 4, 1) <= d <= date(2026, 4, 30) for d in april)
        # a clone carries the payee's credit of its original: 100 USD, or 300 USD (60% of the split deal)
        assert set(zip(frame["source_opportunity_id"], frame["amount_deal_currency"])) <= {
            ("006A", Decimal("100")), ("006B", Decimal("300"))}
    assert sum(f.height for f in deals) > 0
    again = new_business.new_deals(nb, new_business.draw(nb, 3, 7))
    assert again.equals(deals[7])  # same seed and simulation: the same deals
    assert not new_business.new_deals(nb, new_business.draw(nb, 4, 7)).equals(deals[7])


def test_scenarios_rank_pipeline_and_new_business_together():
    deals = _open_deals(50)
    targets = _targets([("payee", "E1", APR, 1000.0, 800.0)])
    nb = new_business.prepare(targets, _e1_pool(), ORIGIN, APR)
    by_month, scenarios = simulate(deals, (1.0, 0.0, 0.0, 0.0), ORIGIN, APR, new_business=nb, n_simulations=300, seed=3)
    pipeline_only, _ = simulate(deals, (1.0, 0.0, 0.0, 0.0), ORIGIN, APR, n_simulations=300, seed=3)
    # the pipeline's draws are unchanged by new business (its own stream); April is new business only
    assert np.array_equal(by_month[:, 0], pipeline_only[:, 0]) and pipeline_only[:, 1].sum() == 0
    assert by_month[:, 1].mean() == pytest.approx(1000.0, rel=0.15)
    totals = by_month.sum(axis=1)
    amounts = dict(deals.select("opportunity_id", "amount_corporate").iter_rows())
    for s in scenarios:
        # a scenario's company bookings: its won pipeline deals and its new business, month by month
        assert s.company_bookings == pytest.approx(totals[s.simulation])
        assert s.company_by_month[0] == pytest.approx(sum(amounts[i] for i in s.won["opportunity_id"]))
        assert s.company_by_month[1] == pytest.approx(s.new_deals["amount_corporate"].sum())
    assert [s.company_bookings for s in scenarios] == sorted(s.company_bookings for s in scenarios)


def _raw_file(path: Path, contract, rows: list[dict]) -> None:
    schema = raw_schema(contract)
    frame = pl.DataFrame(rows).with_columns(
        _batch=pl.lit("2026-03-15"), _batch_date=pl.lit(date(2026, 3, 15)), _source_file=pl.lit("x.csv"),
        _source_row=pl.int_range(1, pl.len() + 1, dtype=pl.Int64),
        _loaded_at=pl.lit(datetime(2026, 3, 15, tzinfo=timezone.utc)),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.select([pl.col(c).cast(t) for c, t in schema.items()]).write_parquet(path)


def test_new_business_clones_carry_the_payees_share_of_the_deal_and_its_line_items(tmp_path):
    modified = datetime(2026, 2, 3, 9, 0, tzinfo=timezone.utc)
    opportunity = {"Id": "006B", "AccountId": "001X", "OwnerId": "U7", "Name": "Big", "StageName": "Closed Won",
                   "Amount": Decimal("500"), "CurrencyIsoCode": "EUR", "CloseDate": date(2026, 2, 3),
                   "IsClosed": True, "IsWon": True, "Type": "New Business", "Probability": Decimal("100"),
                   "CreatedDate": modified, "LastModifiedDate": modified, "IsDeleted": False}
    _raw_file(dataset_dir(tmp_path, CRM_OPPORTUNITY) / "batch=2026-03-15" / "Opportunity.parquet", CRM_OPPORTUNITY,
              [opportunity])
    line = {"OpportunityId": "006B", "UnitPrice": Decimal("50"), "LastModifiedDate": modified}
    _raw_file(dataset_dir(tmp_path, CRM_OPPORTUNITY_LINE_ITEM) / "batch=2026-03-15" / "OpportunityLineItem.parquet",
              CRM_OPPORTUNITY_LINE_ITEM,
              [{**line, "Id": "00kB1", "Product2Id": "01tA", "Quantity": Decimal("6"), "TotalPrice": Decimal("300")},
               {**line, "Id": "00kB2", "Product2Id": "01tB", "Quantity": Decimal("4"), "TotalPrice": Decimal("200")}])
    deals = pl.DataFrame(
        [("FCST-2026-04-E1-00001", "006B", "E1", "U1", Decimal("60"), Decimal("300"), date(2026, 4, 9), 375.0)],
        schema=new_business.NEW_DEALS_SCHEMA, orient="row",
    )
    opportunities, lines = new_business_records(tmp_path, deals, "P50")
    clone = opportunities.row(0, named=True)
    # E1 held 60% of the 500 EUR deal: the clone is E1's own 300 EUR deal (no splits: the owner gets 100%)
    assert (clone["Id"], clone["OwnerId"], clone["Amount"], clone["CurrencyIsoCode"]) == (
        "FCST-2026-04-E1-00001", "U1", Decimal("300"), "EUR")
    assert (clone["AccountId"], clone["Type"], clone["StageName"], clone["IsWon"], clone["CloseDate"]) == (
        "001X", "New Business", "Closed Won", True, date(2026, 4, 9))
    assert clone["CreatedDate"].date() == date(2026, 4, 9) and clone["LastModifiedDate"] > modified
    # line items x 0.6: product A 6 units / 300 EUR -> 3.6 / 180; B 4 / 200 -> 2.4 / 120 (family shares 60/40 kept)
    assert lines.select("Id", "OpportunityId", "Product2Id", "Quantity", "TotalPrice").rows() == [
        ("FCST-2026-04-E1-00001-00kB1", "FCST-2026-04-E1-00001", "01tA", Decimal("3.6"), Decimal("180")),
        ("FCST-2026-04-E1-00001-00kB2", "FCST-2026-04-E1-00001", "01tB", Decimal("2.4"), Decimal("120")),
    ]
    assert opportunities.schema == raw_schema(CRM_OPPORTUNITY) and lines.schema == raw_schema(CRM_OPPORTUNITY_LINE_ITEM)
    # a raw Opportunity Id with the reserved prefix would collide: refused
    _raw_file(dataset_dir(tmp_path, CRM_OPPORTUNITY) / "batch=2026-03-16" / "Opportunity.parquet", CRM_OPPORTUNITY,
              [{**opportunity, "Id": "FCST-2026-04-E1-00001"}])
    with pytest.raises(ValueError, match="FCST-"):
        new_business_records(tmp_path, deals, "P50")


def test_a_scenario_s_deals_are_deals_of_their_own_with_copies_of_their_splits_and_line_items(tmp_path):
    """scenario_records: the deal a scenario wins becomes FCST~<scenario>~<id>, Closed Won on the simulated
    date, with copies of its splits and line items as their newest versions say (a split moved to another
    deal by a later version is not copied); new business gets the prefix too; a raw id with it is refused."""
    old = datetime(2026, 2, 3, 9, 0, tzinfo=timezone.utc)
    new = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
    base = {"AccountId": "001X", "OwnerId": "U1", "Name": "Deal", "StageName": "Prospecting", "Amount": Decimal("500"),
            "CurrencyIsoCode": "EUR", "CloseDate": date(2026, 4, 30), "IsClosed": False, "IsWon": False,
            "Type": "New Business", "Probability": Decimal("40"), "CreatedDate": old, "LastModifiedDate": old,
            "IsDeleted": False}
    _raw_file(dataset_dir(tmp_path, CRM_OPPORTUNITY) / "batch=2026-03-15" / "Opportunity.parquet", CRM_OPPORTUNITY,
              [{**base, "Id": "006A"}, {**base, "Id": "006Z"},
               {**base, "Id": "006B", "StageName": "Closed Won", "IsClosed": True, "IsWon": True}])
    split = {"LastModifiedDate": old}
    _raw_file(dataset_dir(tmp_path, CRM_OPPORTUNITY_SPLIT) / "batch=2026-03-15" / "OpportunitySplit.parquet",
              CRM_OPPORTUNITY_SPLIT,
              [{**split, "Id": "S1", "OpportunityId": "006A", "SplitOwnerId": "U1", "SplitPercentage": Decimal("60")},
               {**split, "Id": "S2", "OpportunityId": "006A", "SplitOwnerId": "U2", "SplitPercentage": Decimal("30")},
               {**split, "Id": "S2", "OpportunityId": "006A", "SplitOwnerId": "U2", "SplitPercentage": Decimal("40"),
                "LastModifiedDate": new},
               {**split, "Id": "S3", "OpportunityId": "006A", "SplitOwnerId": "U3", "SplitPercentage": Decimal("10")},
               {**split, "Id": "S3", "OpportunityId": "006Z", "SplitOwnerId": "U3", "SplitPercentage": Decimal("10"),
                "LastModifiedDate": new}])
    line = {"UnitPrice": Decimal("50"), "LastModifiedDate": old, "Product2Id": "01tA"}
    _raw_file(dataset_dir(tmp_path, CRM_OPPORTUNITY_LINE_ITEM) / "batch=2026-03-15" / "OpportunityLineItem.parquet",
              CRM_OPPORTUNITY_LINE_ITEM,
              [{**line, "Id": "L1", "OpportunityId": "006A", "Quantity": Decimal("10"), "TotalPrice": Decimal("500")},
               {**line, "Id": "L2", "OpportunityId": "006B", "Quantity": Decimal("4"), "TotalPrice": Decimal("200")}])
    won = pl.DataFrame({"opportunity_id": ["006A"], "close_date": [date(2026, 5, 12)]})
    deals = pl.DataFrame(
        [("FCST-2026-04-E1-00001", "006B", "E1", "U1", Decimal("100"), Decimal("500"), date(2026, 4, 9), 550.0)],
        schema=new_business.NEW_DEALS_SCHEMA, orient="row",
    )
    records = scenario_records(tmp_path, won, "P10", deals)
    opportunities = records[CRM_OPPORTUNITY]
    assert opportunities.select("Id", "StageName", "IsWon", "CloseDate", "Amount").rows() == [
        ("FCST~P10~006A", "Closed Won", True, date(2026, 5, 12), Decimal("500")),
        ("FCST~P10~FCST-2026-04-E1-00001", "Closed Won", True, date(2026, 4, 9), Decimal("500")),
    ]
    # the newest versions of 006A's splits: S1 60 %, S2 40 % (its second version); S3 now belongs to 006Z
    assert records[CRM_OPPORTUNITY_SPLIT].select("Id", "OpportunityId", "SplitOwnerId", "SplitPercentage").rows() == [
        ("FCST~P10~S1", "FCST~P10~006A", "U1", Decimal("60")),
        ("FCST~P10~S2", "FCST~P10~006A", "U2", Decimal("40")),
    ]
    # the new deal's line item (a clone of 006B's, whole: a 100 % share) and the won deal's own
    assert sorted(records[CRM_OPPORTUNITY_LINE_ITEM].select("Id", "OpportunityId", "TotalPrice").rows()) == [
        ("FCST~P10~FCST-2026-04-E1-00001-L2", "FCST~P10~FCST-2026-04-E1-00001", Decimal("200")),
        ("FCST~P10~L1", "FCST~P10~006A", Decimal("500")),
    ]
    for contract, frame in records.items():
        assert frame.schema == raw_schema(contract)
        assert set(frame["_batch"]) == {"forecast-P10"}
    with pytest.raises(ValueError, match="letters, digits"):
        scenario_records(tmp_path, won, "P~10", deals)
    _raw_file(dataset_dir(tmp_path, CRM_OPPORTUNITY) / "batch=2026-03-16" / "Opportunity.parquet", CRM_OPPORTUNITY,
              [{**base, "Id": "FCST~P10~006Q"}])
    with pytest.raises(ValueError, match="reserved for forecast scenarios"):
        scenario_records(tmp_path, won, "P10", deals)
