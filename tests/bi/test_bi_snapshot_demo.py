"""The BI snapshot of the session's demo run: the forecast tables beside the marts, with their declared
types and every table's rows equal to its source; the forecast checks and the payout plots."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from assets.bi.snapshot import VIEWS_FILE
from assets.forecasts.runner import FORECAST_DIR
from assets.forecasts.tables import FORECAST_TABLES
from tests.support.demo import demo_environment

pytestmark = pytest.mark.slow  # reads the session's demo run


@pytest.fixture(scope="module")
def pipeline(demo_pipeline):
    """The session's demo run (tests/conftest.py), with its settings in the environment."""
    paths, result, root = demo_pipeline
    with demo_environment(paths, root):
        yield paths, result, root


def _check_evaluations(result) -> dict[tuple[str, str], object]:
    return {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}


def test_the_snapshot_holds_the_forecast_tables_with_their_declared_types_and_the_files_rows(pipeline):
    paths, result, _ = pipeline
    assert result.success
    current = paths.export_dir / "bi" / "current"
    con = duckdb.connect(str(current / VIEWS_FILE), read_only=True)
    try:
        for table in FORECAST_TABLES:
            columns = con.execute(
                "select column_name, data_type from information_schema.columns where table_name = ? "
                "order by ordinal_position", [table.name]).fetchall()
            assert columns == list(table.columns), table.name
            (rows,) = con.execute(f"select count(*) from {table.name}").fetchone()
            source = pl.read_parquet(paths.export_dir / FORECAST_DIR / table.file)
            assert rows == source.height > 0, table.name
        payout = con.execute("select scenario, sum(payable_amount) from forecast_payout group by 1 order by 1").fetchall()
        summary = con.execute("select scenario, sum(payable_amount) from forecast_payout_summary group by 1 order by 1").fetchall()
    finally:
        con.close()
    assert [s for s, _ in payout] == ["P10", "P50", "P90", "actual"]
    assert payout == summary  # the summary is the payout lines summed, to the cent


def test_the_snapshot_check_and_the_forecast_checks_passed_on_the_demo(pipeline):
    _, result, _ = pipeline
    evaluations = _check_evaluations(result)
    for key in [("bi_snapshot", "rows_match_sources"), ("bookings_forecast", "forecast_quantiles_in_order"),
                ("payout_forecast", "forecast_scenarios_in_order")]:
        assert key in evaluations, key
        assert evaluations[key].passed, (key, evaluations[key].description)
    rows = evaluations[("bi_snapshot", "rows_match_sources")].metadata["tables"].value
    assert rows > len(FORECAST_TABLES)


def test_the_payout_forecast_plots_one_png_per_currency(pipeline):
    paths, result, _ = pipeline
    out = paths.export_dir / FORECAST_DIR
    currencies = pl.read_parquet(out / "payout_summary.parquet")["currency"].unique().sort().to_list()
    plots = sorted(p.name for p in (out / "plots").glob("payout_*.png"))
    assert plots == [f"payout_{c}.png" for c in currencies]
    assert all((out / "plots" / p).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in plots)
    (materialization,) = [e.event_specific_data.materialization for e in result.all_events
                          if e.event_type_value == "ASSET_MATERIALIZATION"
                          and e.event_specific_data.materialization.asset_key.to_user_string() == "payout_forecast"]
    assert all(f"`plots/{p}`" in materialization.metadata["payout_plots"].value for p in plots)
