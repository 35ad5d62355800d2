"""The forecast tables of the BI snapshot: their contracts checked before anything is written, copied
sorted by grain with their declared types, and every table's rows counted against its source."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import duckdb
import polars as pl
import pytest

from assets.bi.snapshot import (
    VIEWS_FILE,
    ForecastContractError,
    build_snapshot,
    make_current,
    row_count_problems,
    snapshot_row_counts,
    source_row_counts,
    write_snapshot,
)
from assets.forecasts.tables import AMOUNT, FORECAST_TABLES, ForecastTable, schema_differences

D = pl.Decimal(38, 2)
PAYOUT = ForecastTable(
    name="forecast_payout", file="payout_forecast.parquet", grain=("scenario", "employee_id", "period", "currency"),
    columns=(("scenario", "VARCHAR"), ("employee_id", "VARCHAR"), ("period", "VARCHAR"), ("currency", "VARCHAR"),
             ("payable_amount", AMOUNT)),
    description="payout per scenario",
)
SUMMARY = ForecastTable(
    name="forecast_payout_summary", file="payout_summary.parquet", grain=("scenario", "period", "currency"),
    columns=(("scenario", "VARCHAR"), ("period", "VARCHAR"), ("currency", "VARCHAR"), ("payable_amount", AMOUNT)),
    description="payout per scenario, summed",
)


def _payout(amount_type=D) -> pl.DataFrame:
    rows = [("P50", "E2", "2026-12", "USD", "7.50"), ("P10", "E2", "2026-12", "USD", "5.25"),
            ("actual", "E1", "2026-10", "EUR", "100.00"), ("P10", "E1", "2026-12", "EUR", "0.01")]
    frame = pl.DataFrame(rows, schema=["scenario", "employee_id", "period", "currency", "payable_amount"], orient="row")
    return frame.with_columns(pl.col("payable_amount").cast(D).cast(amount_type))


def _summary() -> pl.DataFrame:
    payout = _payout()
    return payout.group_by("scenario", "period", "currency").agg(pl.col("payable_amount").sum())


def _warehouse(tmp_path):
    warehouse = tmp_path / "spm.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create table fct_sale (sale_id integer, amount decimal(38, 10))")
    con.execute("insert into fct_sale values (2, 5), (1, 9)")
    con.close()
    return warehouse


def _forecasts(tmp_path, payout: pl.DataFrame | None = None):
    folder = tmp_path / "exports" / "forecasts"
    folder.mkdir(parents=True, exist_ok=True)
    (payout if payout is not None else _payout()).write_parquet(folder / PAYOUT.file)
    _summary().write_parquet(folder / SUMMARY.file)
    return folder


def _digests(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.parquet"))}


def test_the_forecast_tables_are_copied_with_their_declared_types_sorted_by_grain(tmp_path):
    warehouse, forecasts = _warehouse(tmp_path), _forecasts(tmp_path)

    folder, counts, orders = write_snapshot(warehouse, tmp_path / "exports", "calc-1", {}, forecasts,
                                            (PAYOUT, SUMMARY))

    assert counts == {"fct_sale": 2, "forecast_payout": 4, "forecast_payout_summary": 4}
    assert orders["forecast_payout"] == ("scenario", "employee_id", "period", "currency")
    con = duckdb.connect(str(folder / VIEWS_FILE), read_only=True)
    try:
        columns = con.execute("select column_name, data_type from information_schema.columns "
                              "where table_name = 'forecast_payout' order by ordinal_position").fetchall()
        rows = con.execute("select scenario, employee_id, payable_amount from forecast_payout").fetchall()
        total = con.execute("select sum(payable_amount) from forecast_payout_summary").fetchone()[0]
    finally:
        con.close()
    assert columns == list(PAYOUT.columns)
    # sorted by the grain: scenario, then employee_id ('P10' < 'P50' < 'actual' in byte order)
    assert rows == [("P10", "E1", Decimal("0.01")), ("P10", "E2", Decimal("5.25")), ("P50", "E2", Decimal("7.50")),
                    ("actual", "E1", Decimal("100.00"))]
    assert total == Decimal("112.76")
    assert snapshot_row_counts(folder) == source_row_counts(warehouse, forecasts, (PAYOUT, SUMMARY)) == counts

    first = _digests(folder)
    shuffled = _payout().reverse()  # another row order in the file: the same snapshot bytes
    shuffled.write_parquet(forecasts / PAYOUT.file)
    again, _, _ = write_snapshot(warehouse, tmp_path / "exports", "calc-1", {}, forecasts, (PAYOUT, SUMMARY))
    assert _digests(again) == first


def test_a_forecast_file_off_its_contract_fails_the_snapshot_naming_file_and_column(tmp_path):
    warehouse = _warehouse(tmp_path)
    write_snapshot(warehouse, tmp_path / "exports", "good", {}, _forecasts(tmp_path), (PAYOUT, SUMMARY))
    forecasts = _forecasts(tmp_path, _payout(pl.Float64))  # an amount written as a float

    with pytest.raises(ForecastContractError) as raised:
        build_snapshot(warehouse, tmp_path / "exports", "bad", {}, forecasts, (PAYOUT, SUMMARY))

    message = str(raised.value)
    assert "payout_forecast.parquet" in message and "forecast_payout" in message
    assert "column payable_amount is DOUBLE, declared DECIMAL(38,2)" in message
    assert "payout_summary.parquet" not in message  # the good file is not blamed
    # nothing written, and BI still reads the previous snapshot
    assert not (tmp_path / "exports" / "bi" / "snapshots" / "bad").exists()
    assert (tmp_path / "exports" / "bi" / "current").resolve().name == "good"


def test_a_missing_forecast_file_fails_the_snapshot(tmp_path):
    forecasts = _forecasts(tmp_path)
    (forecasts / SUMMARY.file).unlink()
    with pytest.raises(ForecastContractError, match=r"payout_summary.parquet: missing \(table forecast_payout_summary"):
        build_snapshot(_warehouse(tmp_path), tmp_path / "exports", "x", {}, forecasts, (PAYOUT, SUMMARY))


def test_schema_differences_name_each_column():
    declared = ForecastTable("t", "t.parquet", ("a",), (("a", "VARCHAR"), ("b", AMOUNT), ("c", "DOUBLE")), "")
    assert schema_differences(declared, [("a", "VARCHAR"), ("b", AMOUNT), ("c", "DOUBLE")]) == []
    assert schema_differences(declared, [("a", "VARCHAR"), ("b", "DOUBLE"), ("d", "BIGINT")]) == [
        "missing column c (DOUBLE)", "unexpected column d (BIGINT)", "column b is DOUBLE, declared DECIMAL(38,2)"]
    assert schema_differences(declared, [("b", AMOUNT), ("a", "VARCHAR"), ("c", "DOUBLE")]) == [
        "columns in the order ['b', 'a', 'c'], declared ['a', 'b', 'c']"]


def test_the_snapshot_is_made_current_only_by_make_current(tmp_path):
    warehouse, forecasts = _warehouse(tmp_path), _forecasts(tmp_path)
    first, _, _ = write_snapshot(warehouse, tmp_path / "exports", "one", {}, forecasts, (PAYOUT, SUMMARY))
    second, _, _ = build_snapshot(warehouse, tmp_path / "exports", "two", {}, forecasts, (PAYOUT, SUMMARY))
    current = tmp_path / "exports" / "bi" / "current"
    assert current.resolve() == first.resolve()
    make_current(second)
    assert current.resolve() == second.resolve()


def test_row_count_problems_name_missing_extra_and_different_tables():
    sources = {"fct_a": 3, "fct_b": 2, "forecast_payout": 10}
    assert row_count_problems(sources, dict(sources)) == []
    assert row_count_problems(sources, {"fct_a": 3, "forecast_payout": 9, "fct_old": 1}) == [
        "fct_b: not in the snapshot (2 rows at the source)",
        "fct_old: in the snapshot but no such mart or forecast",
        "forecast_payout: 9 rows in the snapshot, 10 at the source",
    ]


def test_the_declared_forecast_tables_have_unique_names_a_grain_among_their_columns_and_decimal_amounts():
    names = [t.name for t in FORECAST_TABLES]
    assert len(set(names)) == len(names) and all(n.startswith("forecast_") for n in names)
    assert {"forecast_bookings", "forecast_attainment", "forecast_payout"} <= set(names)
    for table in FORECAST_TABLES:
        columns = dict(table.columns)
        assert set(table.grain) <= set(columns), table.name
        for triple in table.quantiles:
            assert set(triple) <= set(columns), table.name
        money = [c for c in columns if any(w in c for w in ("amount", "bookings", "quota", "forecast", "p10", "p90",
                                                              "actual", "pipeline", "timeseries"))
                 and "attainment" not in c and "share" not in c]
        assert money and all(columns[c] == AMOUNT for c in money), (table.name, money)


def test_the_definitions_wire_the_forecasts_into_the_snapshot_with_blocking_described_checks():
    import dagster as dg

    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    snapshot = graph.get(dg.AssetKey("bi_snapshot"))
    assert {dg.AssetKey("bookings_forecast"), dg.AssetKey("payout_forecast")} <= snapshot.parent_keys
    checks = {(c.asset_key.to_user_string(), c.name): c for c in graph.asset_check_keys}
    expected = [("bi_snapshot", "rows_match_sources"), ("bookings_forecast", "forecast_quantiles_in_order"),
                ("payout_forecast", "forecast_scenarios_in_order")]
    assert set(expected) <= set(checks)
    for key in expected:
        spec = graph.get_check_spec(checks[key])
        assert spec.blocking and len(spec.description or "") > 40, key
    tables = {t.name: t for t in FORECAST_TABLES}
    for asset, table in (("bookings_forecast", "forecast_bookings"), ("payout_forecast", "forecast_payout")):
        node = graph.get(dg.AssetKey(asset))
        schema = node.metadata["dagster/column_schema"]
        assert [(c.name, c.type) for c in schema.columns] == list(tables[table].columns)
        assert "dbt" not in node.kinds  # the engine runs on a scratch copy: no model of the project


def _materialize_snapshot(tmp_path):
    import dagster as dg

    from assets.bi.snapshot import bi_snapshot
    from core.resources import SpmPathsResource

    for folder in ("landing", "config"):
        (tmp_path / folder).mkdir(exist_ok=True)
    paths = SpmPathsResource(landing_dir=str(tmp_path / "landing"), config_dir=str(tmp_path / "config"),
                             warehouse=str(tmp_path / "spm.duckdb"), raw_dir=str(tmp_path / "raw"),
                             export_dir=str(tmp_path / "exports"))
    return dg.materialize([bi_snapshot], resources={"paths": paths}, raise_on_error=False)


@pytest.fixture
def two_tables(monkeypatch):
    """The asset on the two payout tables of this module's hand-made files."""
    from assets.bi import snapshot

    for name in ("build_snapshot", "source_row_counts"):
        function = getattr(snapshot, name)
        monkeypatch.setattr(snapshot, name, lambda *args, _f=function: _f(*args, (PAYOUT, SUMMARY)))
    monkeypatch.setattr(snapshot, "FORECAST_TABLES", (PAYOUT, SUMMARY))
    return snapshot


def test_the_snapshot_asset_checks_rows_and_moves_current_only_when_they_match(tmp_path, two_tables, monkeypatch):
    _warehouse(tmp_path)
    _forecasts(tmp_path)
    result = _materialize_snapshot(tmp_path)
    assert result.success
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.check_name == "rows_match_sources" and evaluation.passed
    current = (tmp_path / "exports" / "bi" / "current").resolve()
    materialization = result.asset_materializations_for_node("bi_snapshot")[0]
    assert materialization.metadata["rows_by_forecast_table"].value == {"forecast_payout": 4,
                                                                       "forecast_payout_summary": 4}

    # a source with another row count than the snapshot: the blocking check fails the step and
    # BI keeps the snapshot it had
    counts = two_tables.source_row_counts
    monkeypatch.setattr(two_tables, "source_row_counts", lambda *a: {**counts(*a), "forecast_payout": 5})
    (tmp_path / "landing" / "new.csv").write_text("x\n")  # another calculation id: another snapshot folder
    failed = _materialize_snapshot(tmp_path)
    assert not failed.success
    (evaluation,) = failed.get_asset_check_evaluations()
    assert not evaluation.passed
    assert evaluation.description == "1 table(s) differ: forecast_payout: 4 rows in the snapshot, 5 at the source"
    assert (tmp_path / "exports" / "bi" / "current").resolve() == current


def test_the_snapshot_asset_fails_on_a_drifted_forecast_file_with_one_line_and_no_retry(tmp_path, two_tables):
    _warehouse(tmp_path)
    _forecasts(tmp_path, _payout(pl.Float64))
    result = _materialize_snapshot(tmp_path)
    assert not result.success
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    error = failure.step_failure_data.error
    assert "column payable_amount is DOUBLE, declared DECIMAL(38,2)" in error.message
    assert "\n" not in failure.step_failure_data.user_failure_data.description
    assert error.cls_name == "Failure"  # core.failures.user_error: not retried, printed as one line
